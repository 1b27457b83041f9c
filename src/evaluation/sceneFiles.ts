/**
 * Fresh shapes-world scenes on disk for model evaluation: drawn by the TypeScript generator (never used for
 * training) and written as PNG files, so the models are measured through the same path as the CLI.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateScene, type ObjectCount } from '../shapesWorld/scene';
import type { SceneTruth } from '../shapesWorld/types';

/** A scene written to `path` with its ground truth. */
export interface SceneFile {
  path: string;
  truth: SceneTruth;
}

/** Writes `count` scenes of the given object counts (cycled) into `dir`, indices from `firstIndex`. */
export async function writeScenes(dir: string, seed: number, count: number, objects: readonly ObjectCount[], firstIndex: number): Promise<SceneFile[]> {
  const scenes: SceneFile[] = [];
  for (let k = 0; k < count; k++) {
    const index = firstIndex + k;
    const { png, truth } = await generateScene({ seed, index, objects: objects[k % objects.length] });
    const path = join(dir, `scene-${index}.png`);
    await writeFile(path, png);
    scenes.push({ path, truth });
  }
  return scenes;
}

/**
 * Writes a numbered set of scenes to a folder: one PNG per scene and one truth.json holding every
 * scene's ground truth, in order.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfCancelled, type LongRunOptions } from '../core/progress';
import { generateScene, type ObjectCount } from './scene';
import type { SceneTruth } from './types';
import type { ObjectKind } from './vocab';

/** What set to write. Lists (`objects`, `sizes`) are cycled over the scenes. */
export interface SceneSetOptions {
  seed: number;
  count: number;
  /** Object count of every scene, or one per scene (cycled); drawn per scene when absent. */
  objects?: ObjectCount | readonly ObjectCount[];
  /** Image sides, cycled over the scenes; drawn per scene from 64..512 when absent. */
  sizes?: readonly number[];
  /** Anti-alias edges (default true). */
  antialias?: boolean;
  /** Kinds a scene must hold, by scene index (from 0). */
  include?: Readonly<Record<number, readonly ObjectKind[]>>;
  /** Number in the first file's name (default 0) and digits to pad to (default 3): scene-000.png, ... */
  firstNumber?: number;
  pad?: number;
}

/** One truth.json entry: the scene's ground truth and the name of its PNG beside it. */
export type SceneSetEntry = SceneTruth & { file: string };

/** Writes `count` scenes (indices 0..count-1) and truth.json into `dir`, creating it; returns the entries. */
export async function writeSceneSet(dir: string, options: SceneSetOptions, run: LongRunOptions = {}): Promise<SceneSetEntry[]> {
  const { seed, count, objects, sizes, antialias, include = {}, firstNumber = 0, pad = 3 } = options;
  await mkdir(dir, { recursive: true });
  const entries: SceneSetEntry[] = [];
  for (let index = 0; index < count; index++) {
    throwIfCancelled(run.signal);
    const { png, truth } = await generateScene({
      seed,
      index,
      size: sizes?.[index % sizes.length],
      objects: typeof objects === 'number' ? objects : objects?.[index % objects.length],
      antialias,
      include: include[index],
    });
    const file = `scene-${String(firstNumber + index).padStart(pad, '0')}.png`;
    await writeFile(join(dir, file), png);
    entries.push({ file, ...truth });
    run.onProgress?.({ stage: 'Drawing scenes', done: index + 1, total: count });
  }
  await writeFile(join(dir, 'truth.json'), `${JSON.stringify(entries, null, 2)}\n`);
  return entries;
}

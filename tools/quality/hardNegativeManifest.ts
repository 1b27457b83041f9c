/**
 * A probe manifest that only a model using image-text interaction can score well: fresh two- and three-object
 * scenes, each paired with one matching caption (label 1) and that caption's hard negative (label 0), which
 * differs only in binding, position or word order. The shapes-fusion EMAP test and docs/methods.md use it:
 * `npx tsx tools/quality/hardNegativeManifest.ts --out DIR [--seed S] [--scenes N]` prints the manifest's path.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeScenes } from '../../src/evaluation/sceneFiles';

/** Writes `scenes` scenes into `dir` and `dir/hard-negatives.jsonl` (2 rows a scene); returns the manifest's path. */
export async function writeHardNegativeManifest(dir: string, seed: number, scenes: number): Promise<string> {
  const files = await writeScenes(dir, seed, scenes, [2, 3], 1000);
  const rows = files.flatMap((scene, k) => {
    // The scene's negatives in turn, so every kind the generator makes is represented.
    const negative = scene.truth.hardNegatives[k % scene.truth.hardNegatives.length];
    return [{ image: scene.path, caption: negative.of, label: 1 }, { image: scene.path, caption: negative.caption, label: 0 }];
  });
  const manifest = join(dir, 'hard-negatives.jsonl');
  writeFileSync(manifest, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return manifest;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string' }, scenes: { type: 'string' } } });
  if (!values.out) {
    console.error('Usage: npx tsx tools/quality/hardNegativeManifest.ts --out DIR [--seed S] [--scenes N]');
    process.exit(2);
  }
  const dir = resolve(values.out);
  mkdirSync(dir, { recursive: true });
  void writeHardNegativeManifest(dir, Number(values.seed ?? 2026), Number(values.scenes ?? 100)).then((path) => console.log(path));
}

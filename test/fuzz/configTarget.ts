/**
 * Fuzz target: the model folder's JSON readers (config.json, preprocessor_config.json, tokenizer.json,
 * tokenizer_config.json, special_tokens_map.json) on mutated files, followed by what the files configure: the
 * tokenizer encoding texts and the preprocessor making a tensor of a small image.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadModelFolder } from '../../src/inference/model/modelFolder';
import { preprocessImage } from '../../src/inference/images/preprocess';
import { loadTokenizer } from '../../src/inference/model/tokenize';
import { writeTinyClip } from '../support/tinyClip';
import type { FuzzRunner, FuzzTarget } from './fuzzTarget';
import { mutateJsonText } from './jsonMutations';
import type { FuzzRandom } from './random';

const files = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];
const specialTokensMap = JSON.stringify({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', unk_token: '<unk>' });
const texts = ['a red circle', '', 'zebra 猫 😀 \u0000', 'a '.repeat(40)];

/** The seed config files of a tiny CLIP and a small image; `run` writes one mutated file and loads what they configure. */
export interface ConfigSeeds {
  files: readonly string[];
  originals: ReadonlyMap<string, string>;
  /** Writes `bytes` as `target` (the other files as they were) and runs the readers and what they configure. */
  run(target: string, bytes: Uint8Array): Promise<void>;
  dispose(): void;
}

/** Writes the tiny CLIP whose config files the cases mutate. */
export async function prepareConfigSeeds(): Promise<ConfigSeeds> {
  const clip = writeTinyClip();
  const originals = new Map(files.map((name) => [name, name === 'special_tokens_map.json' ? specialTokensMap : readFileSync(join(clip.dir, name), 'utf8')]));
  const png = await sharp({ create: { width: 45, height: 20, channels: 3, background: '#1e28d2' } }).png().toBuffer();
  return {
    files,
    originals,
    async run(target, bytes): Promise<void> {
      for (const [name, text] of originals) writeFileSync(join(clip.dir, name), name === target ? bytes : text);
      const folder = await loadModelFolder(clip.dir);
      const batch = loadTokenizer(folder).encodeBatch(texts);
      assert.equal(batch.ids.length, texts.length * batch.length);
      const image = await preprocessImage(png, folder.preprocessor);
      assert.equal(image.pixels.length, 3 * image.outputSize.height * image.outputSize.width);
    },
    dispose: () => clip.remove(),
  };
}

/** The config target. */
export const configTarget: FuzzTarget = {
  name: 'config',
  async prepare(): Promise<FuzzRunner> {
    const prepared = await prepareConfigSeeds();
    return {
      async runCase(random: FuzzRandom, note): Promise<void> {
        const target = random.pick(files);
        const mutated = mutateJsonText(prepared.originals.get(target)!, random);
        note(`${target}: ${mutated.description}`);
        await prepared.run(target, mutated.bytes);
      },
      async dispose(): Promise<void> {
        prepared.dispose();
      },
    };
  },
};

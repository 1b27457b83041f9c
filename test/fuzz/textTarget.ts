/**
 * Fuzz targets: long texts (longText.ts) through the three ways a text reaches a model: the real CLIP BPE
 * tokenizer's encodeBatch (test/fixtures), the word-level tokenizer of a tiny CLIP loaded as the config target
 * loads it (loadModelFolder, loadTokenizer), and the whole service (analyze on a tiny CLIP that carries the
 * real tokenizer: tokenize, cut, run the text tower, score). A case passes when it gives at most the model's
 * text length with the start and end tokens in place and finite scores, or a LensError.
 * `text` draws 10^3 to 10^5 characters (the CI pass runs it); `longtext` 10^5 to 10^6.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { InferenceService } from '../../src/inference/service';
import type { JsonObject } from '../../src/inference/model/configFields';
import { parseModelConfig } from '../../src/inference/model/modelConfig';
import { loadModelFolder } from '../../src/inference/model/modelFolder';
import { loadTokenizer, type EncodedBatch, type TextTokenizer } from '../../src/inference/model/tokenize';
import { writeTinyClip } from '../support/tinyClip';
import type { FuzzRunner, FuzzTarget } from './fuzzTarget';
import { longText } from './longText';
import type { FuzzRandom } from './random';

const clipTokenizerDir = resolve(__dirname, '../fixtures/clip-vit-base-patch32-tokenizer');
const shortTexts = ['a red circle', '', 'zebra'];

/** Start and end in place, no row over the text length, a consistent batch. */
function checkBatch(batch: EncodedBatch, texts: string[], tokenizer: TextTokenizer, bos: number): void {
  assert.equal(batch.items.length, texts.length);
  assert.equal(batch.ids.length, texts.length * batch.length);
  for (const item of batch.items) {
    assert.ok(item.ids.length <= tokenizer.maxLength, `${item.ids.length} ids, over ${tokenizer.maxLength}`);
    assert.equal(item.ids[0], bos, 'starts with the start token');
    assert.equal(item.ids[item.eosIndex], tokenizer.eosId, 'the end token is where eosIndex says');
    assert.equal(item.eosIndex, item.ids.length - 1, 'the end token is last');
    if (item.truncated) assert.equal(item.ids.length, tokenizer.maxLength, 'a cut text fills the length');
    assert.equal(item.tokens.length, item.ids.length);
  }
}

function textTarget(name: string, minExp: number, maxExp: number): FuzzTarget {
  return {
    name,
    async prepare(): Promise<FuzzRunner> {
      const read = (file: string) => JSON.parse(readFileSync(join(clipTokenizerDir, file), 'utf8')) as JsonObject;
      const clip = loadTokenizer({ tokenizerJson: read('tokenizer.json'), tokenizerConfig: read('tokenizer_config.json'), config: parseModelConfig({ model_type: 'clip' }) });
      const wordLevel = writeTinyClip();
      const tiny = loadTokenizer(await loadModelFolder(wordLevel.dir));
      const withBpe = writeTinyClip({ tokenizer: { copyFrom: clipTokenizerDir } });
      const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: withBpe.dir });
      const image = join(withBpe.dir, 'fuzz.png');
      writeFileSync(image, await sharp({ create: { width: 30, height: 20, channels: 3, background: '#1ec828' } }).png().toBuffer());
      const paths = [
        { label: 'CLIP tokenizer', run: (texts: string[]) => checkBatch(clip.encodeBatch(texts), texts, clip, 49406) },
        { label: 'tiny CLIP tokenizer', run: (texts: string[]) => checkBatch(tiny.encodeBatch(texts), texts, tiny, wordLevel.tokenIds.bos) },
        {
          label: 'service analyze',
          run: async (texts: string[]) => {
            const result = await service.analyze({ images: [image], texts });
            assert.equal(result.texts.length, texts.length);
            for (const row of result.similarity) for (const value of row) assert.ok(Number.isFinite(value), `similarity ${value}`);
          },
        },
      ];
      return {
        async runCase(random: FuzzRandom, note): Promise<void> {
          const path = random.pick(paths);
          const long = longText(random, minExp, maxExp);
          const texts = [long.text, ...Array.from({ length: random.int(3) }, () => random.pick(shortTexts))];
          if (random.chance(0.3)) texts.reverse();
          note(`${path.label}: ${long.description}${texts.length > 1 ? ` (+${texts.length - 1} short)` : ''}`);
          await path.run(texts);
        },
        async dispose(): Promise<void> {
          await service.dispose();
          wordLevel.remove();
          withBpe.remove();
        },
      };
    },
  };
}

/** Texts of 10^3 to 10^5 characters. */
export const longTextTarget = textTarget('text', 3, 5);
/** Texts of 10^5 to 10^6 characters. */
export const veryLongTextTarget = textTarget('longtext', 5, 6);

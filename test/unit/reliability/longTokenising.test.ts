// Issue 19 item 4: tokenising a large label set must leave the extension host's event loop running and stop
// when cancelled. 1,000 labels x 16 templates of 200 characters (the settings' bounds) take tens of seconds
// with the real CLIP tokenizer; encodeBatchAsync yields every ~20 ms and checks the signal between texts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { LensError } from '../../../src/core/errors';
import type { JsonObject } from '../../../src/inference/model/configFields';
import { parseModelConfig } from '../../../src/inference/model/modelConfig';
import { loadTokenizer, type TextTokenizer } from '../../../src/inference/model/tokenize';
import { InferenceService } from '../../../src/inference/service';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';

const clipTokenizerDir = resolve(__dirname, '../../fixtures/clip-vit-base-patch32-tokenizer');
const words = ['red', 'circle', 'photograph', 'zebra', 'of', 'a', 'the', 'blue', 'xylophone', '猫', 'naïve'];
let tokenizer: TextTokenizer;

/** `count` different texts of about `chars` characters each. */
function texts(count: number, chars: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    let text = `${i} `;
    for (let k = i; text.length < chars; k++) text += `${words[(k * 7) % words.length]} `;
    return text;
  });
}

/** Counts turns of the event loop (setImmediate callbacks) until stopped. */
function countTurns(): { turns: () => number; stop: () => void } {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return { turns: () => turns, stop: () => (running = false) };
}

before(() => {
  const read = (file: string) => JSON.parse(readFileSync(join(clipTokenizerDir, file), 'utf8')) as JsonObject;
  tokenizer = loadTokenizer({ tokenizerJson: read('tokenizer.json'), tokenizerConfig: read('tokenizer_config.json'), config: parseModelConfig({ model_type: 'clip' }) });
});

test('encodeBatchAsync gives the batch encodeBatch gives: same ids, mask, length and items, padded or not', async () => {
  const batch = [...texts(40, 30), ...texts(5, 900), '', '猫 '.repeat(200)];
  for (const opts of [{}, { padTo: 77 }, { padTo: 12 }]) {
    const expected = tokenizer.encodeBatch(batch, opts);
    const actual = await tokenizer.encodeBatchAsync(batch, opts);
    assert.deepEqual(actual, expected);
    assert.ok(expected.items.some((item) => item.truncated), 'some texts are cut');
  }
});

test('the event loop turns while a large batch is tokenised, and not at all during the synchronous encodeBatch', async () => {
  const batch = texts(400, 1_000);
  const sync = countTurns();
  tokenizer.encodeBatch(batch);
  const turnsDuringSync = sync.turns();
  sync.stop();
  assert.equal(turnsDuringSync, 0);
  const async = countTurns();
  await tokenizer.encodeBatchAsync(batch);
  async.stop();
  // 400 texts of 1,000 characters are several 20 ms slices on any machine.
  assert.ok(async.turns() >= 2, `${async.turns()} turns`);
});

test('a cancelled batch stops between texts with a cancelled LensError', async () => {
  const controller = new AbortController();
  setImmediate(() => controller.abort());
  const turns = countTurns();
  await assert.rejects(tokenizer.encodeBatchAsync(texts(4_000, 1_000), { signal: controller.signal }), (error: unknown) => error instanceof LensError && error.kind === 'cancelled');
  turns.stop();
  // Stopped at the first check after the abort: far fewer turns than the whole batch's slices would have allowed.
  assert.ok(turns.turns() <= 3, `${turns.turns()} turns before stopping`);
});

let clip: TinyClip;
let service: InferenceService;
let image: string;
before(async () => {
  clip = writeTinyClip({ tokenizer: { copyFrom: clipTokenizerDir } });
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir });
  image = join(clip.dir, 'grey.png');
  writeFileSync(image, await sharp({ create: { width: 30, height: 30, channels: 3, background: '#808080' } }).png().toBuffer());
  await service.model();
});
after(async () => {
  await service.dispose();
  clip.remove();
});

test('zero-shot over the largest label set the settings allow can be cancelled while it tokenises, and the service still works', async () => {
  // 1,000 labels x 16 templates, every one 200 characters: the bounds of multimodalLens.labels / promptTemplates.
  const labels = texts(1_000, 199).map((label) => label.slice(0, 200));
  const templates = Array.from({ length: 16 }, (_, i) => `${'a photo of '.repeat(17)}{label} ${i}`.slice(0, 200));
  const controller = new AbortController();
  const turns = countTurns();
  const work = service.zeroShot({ images: [image], labels, templates, topK: 1 }, { signal: controller.signal });
  // Cancel once the loop has turned a few times: the tokenising is under way by then and must notice.
  await new Promise((resolve) => setTimeout(resolve, 200));
  controller.abort();
  await assert.rejects(work, (error: unknown) => error instanceof LensError && error.kind === 'cancelled');
  turns.stop();
  assert.ok(turns.turns() > 2, `the event loop turned ${turns.turns()} times meanwhile`);
  const ok = await service.zeroShot({ images: [image], labels: ['red', 'blue'], templates: ['a {label}'] });
  assert.equal(ok.images[0].top.length, 2);
});

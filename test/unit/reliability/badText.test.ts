// Issue 7 item 2, the text cases test/unit/inference/tokenize.test.ts leaves open: whitespace only, 100k
// characters (truncated, and the result says so), RTL and other invisible marks, NUL and every control
// character, out-of-vocabulary words on the bundled demo model, and all of them through the whole service.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { loadTokenizer, type TextTokenizer } from '../../../src/inference/model/tokenize';
import { tinyClipIds } from '../../support/tinyClip';
import { useTinyClipService } from '../../support/tinyClipService';

const clipDir = resolve(__dirname, '../../fixtures/clip-vit-base-patch32-tokenizer');
const demoDir = resolve(process.cwd(), 'models/shapes-clip');
const SOT = 49406;
const EOT = 49407;
const hundredK = 'a photo of a cat '.repeat(6000).slice(0, 100_000);
const control = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
const marks = ['\u200fcat\u200f', 'a \u202edog\u202c', '\u200ered\u200e square', '\u2066isolated\u2069', 'zero\u200bwidth\u200djoin', '\ufeffcat', '\u00a0\u3000'];

const run = useTinyClipService('mmlens-badtext-');
let realClip: TextTokenizer | undefined;

before(async () => {
  const read = (name: string) => JSON.parse(readFileSync(join(clipDir, name), 'utf8'));
  realClip = loadTokenizer({ tokenizerJson: read('tokenizer.json'), tokenizerConfig: read('tokenizer_config.json'), config: (await import('../../../src/inference/model/modelConfig')).parseModelConfig({ model_type: 'clip' }) });
});

test('real CLIP tokenizer: whitespace only is just start and end; 100k characters are cut to 77 in bounded time', () => {
  const [blank, long] = realClip!.encodeBatch([' \t\n  \r\n ', hundredK]).items;
  assert.deepEqual(blank.ids, [SOT, EOT]);
  assert.equal(blank.truncated, false);
  const began = performance.now();
  const cut = realClip!.encodeBatch([hundredK]).items[0];
  assert.ok(performance.now() - began < 10_000, '100k characters encode in under 10 s');
  assert.equal(cut.truncated, true);
  assert.equal(cut.ids.length, 77);
  // "a photo of a cat" is 320 1125 539 320 2368 (the published ids), repeated from the start.
  assert.deepEqual(cut.ids.slice(0, 11), [SOT, 320, 1125, 539, 320, 2368, 320, 1125, 539, 320, 2368]);
  assert.equal(cut.ids[76], EOT);
  assert.deepEqual(long.ids, cut.ids);
});

test('real CLIP tokenizer: RTL and invisible marks, NUL and all 32 control characters encode inside start/end', () => {
  const texts = [...marks, '\u0000', control, `cat${control}dog`];
  for (const item of realClip!.encodeBatch(texts).items) {
    assert.equal(item.ids[0], SOT, JSON.stringify(item.text));
    assert.equal(item.ids[item.ids.length - 1], EOT, JSON.stringify(item.text));
    assert.ok(item.ids.every((id) => Number.isInteger(id) && id >= 0 && id <= EOT));
    assert.equal(item.tokens.length, item.ids.length);
  }
  // A right-to-left mark is not a word: "\u200fcat\u200f" keeps the word "cat" (2368) among its tokens.
  assert.ok(realClip!.encodeBatch([marks[0]]).items[0].ids.includes(2368));
});

test('the bundled demo model: out-of-vocabulary words become <unk>, per the vocabulary in its tokenizer.json', async () => {
  const folder = await loadModelFolder(demoDir);
  const tokenizer = loadTokenizer(folder);
  const vocab = (JSON.parse(readFileSync(join(demoDir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  // The demo's normaliser is NFKC + lower case + strip, its pre-tokeniser splits on whitespace.
  const reference = (text: string) => [vocab['<|startoftext|>'], ...text.normalize('NFKC').toLowerCase().trim().split(/\s+/).filter(Boolean).map((w) => vocab[w] ?? vocab['<unk>']), vocab['<|endoftext|>']];
  for (const text of ['a zebra left of a RED circle', 'Ｒｅｄ square', 'quantum chromodynamics', 'a red circle.', '猫 😀 مرحبا']) {
    assert.deepEqual(tokenizer.encodeBatch([text]).items[0].ids, reference(text), text);
  }
  assert.ok(reference('a zebra').includes(vocab['<unk>']));
});

test('through the service: every kind of text gives finite scores; only the 100k text is marked truncated', async () => {
  const image = join(run.work, 'red.png');
  await sharp({ create: { width: 32, height: 32, channels: 3, background: '#c81e1e' } }).png().toFile(image);
  const texts = ['', '   \t ', hundredK, 'مرحبا بالعالم', '猫の写真', '😀👍🏽', 'e\u0301', ...marks, '\u0000', control, 'zebra giraffe'];
  const result = await run.service.analyze({ images: [image], texts });
  assert.equal(result.texts.length, texts.length);
  assert.deepEqual(result.texts.map((t) => t.truncated), texts.map((t) => t === hundredK));
  assert.ok(result.similarity[0].every(Number.isFinite));
  assert.ok(result.probabilities[0].every(Number.isFinite));
  assert.equal(result.texts[2].tokens.length, run.clip.options.maxLength);
  // The tiny model's word-level vocabulary knows none of these words: both get the <unk> id.
  const tokenizer = loadTokenizer(await loadModelFolder(run.clip.dir));
  const unk = tinyClipIds(run.clip, 'zebra giraffe');
  assert.equal(unk[1], unk[2]);
  assert.deepEqual(tokenizer.encodeBatch(['zebra giraffe']).items[0].ids, unk);
});

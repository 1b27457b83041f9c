// Tokenisation with the real CLIP tokenizer files (test/fixtures) and a tiny WordPiece one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { parseModelConfig } from '../../../src/inference/model/modelConfig';
import { loadTokenizer } from '../../../src/inference/model/tokenize';

const clipDir = resolve(__dirname, '../../fixtures/clip-vit-base-patch32-tokenizer');
const readJson = (name: string) => JSON.parse(readFileSync(resolve(clipDir, name), 'utf8'));
const clip = loadTokenizer({
  tokenizerJson: readJson('tokenizer.json'),
  tokenizerConfig: { ...readJson('special_tokens_map.json'), ...readJson('tokenizer_config.json') },
  config: parseModelConfig({ model_type: 'clip' }),
});
const SOT = 49406;
const EOT = 49407;
const idsOf = (text: string) => clip.encodeBatch([text]).items[0].ids;

test('"a photo of a cat" gives the published CLIP ids, with readable tokens', () => {
  const batch = clip.encodeBatch(['a photo of a cat']);
  assert.deepEqual(batch.items[0], {
    text: 'a photo of a cat',
    ids: [SOT, 320, 1125, 539, 320, 2368, EOT],
    tokens: ['<|startoftext|>', 'a', 'photo', 'of', 'a', 'cat', '<|endoftext|>'],
    truncated: false,
    eosIndex: 6,
  });
  assert.equal(batch.length, 7);
  assert.deepEqual([...batch.ids], [SOT, 320, 1125, 539, 320, 2368, EOT].map(BigInt));
  assert.deepEqual([...batch.attentionMask], Array(7).fill(1n));
  assert.deepEqual([clip.maxLength, clip.padId, clip.eosId], [77, EOT, EOT]);
});

test('lower-casing and whitespace folding', () => {
  assert.deepEqual(idsOf('A PHOTO'), idsOf('a photo'));
  assert.deepEqual(idsOf('A PHOTO'), [SOT, 320, 1125, EOT]);
  assert.deepEqual(idsOf('  a \t photo\n\n of   a cat  '), idsOf('a photo of a cat'));
});

test('a 100-word text is cut to 77 tokens, keeping the end token last', () => {
  const item = clip.encodeBatch([Array(100).fill('cat').join(' ')]).items[0];
  assert.equal(item.ids.length, 77);
  assert.equal(item.truncated, true);
  assert.deepEqual([item.ids[0], item.ids[76], item.eosIndex], [SOT, EOT, 76]);
  assert.ok(item.ids.slice(1, 76).every((id) => id === 2368), 'the body is 75 "cat" tokens');
  assert.equal(item.tokens.length, 77);
});

test('a batch pads to its longest text with <|endoftext|> and a zero mask, or to padTo', () => {
  const batch = clip.encodeBatch(['a cat', 'a photo of a cat']);
  assert.equal(batch.length, 7);
  assert.deepEqual([...batch.ids.slice(0, 7)], [SOT, 320, 2368, EOT, EOT, EOT, EOT].map(BigInt));
  assert.deepEqual([...batch.attentionMask.slice(0, 7)], [1n, 1n, 1n, 1n, 0n, 0n, 0n]);
  assert.deepEqual([...batch.attentionMask.slice(7)], Array(7).fill(1n));
  assert.deepEqual(batch.items[0].tokens, ['<|startoftext|>', 'a', 'cat', '<|endoftext|>']);
  assert.equal(batch.items[0].eosIndex, 3);

  const fixed = clip.encodeBatch(['a cat'], { padTo: 10 });
  assert.equal(fixed.length, 10);
  assert.equal(fixed.ids.length, 10);
  assert.deepEqual([...fixed.attentionMask], [1n, 1n, 1n, 1n, 0n, 0n, 0n, 0n, 0n, 0n]);
  const capped = clip.encodeBatch(['a photo of a cat'], { padTo: 5 });
  assert.deepEqual(capped.items[0].ids, [SOT, 320, 1125, 539, EOT]);
  assert.equal(capped.items[0].truncated, true);
});

test('the empty string gives just the start and end tokens; an empty batch is refused', () => {
  assert.deepEqual(clip.encodeBatch(['']).items[0].ids, [SOT, EOT]);
  assert.throws(() => clip.encodeBatch([]), (e: unknown) => e instanceof LensError && e.kind === 'badInput');
});

test('Arabic, CJK, emoji, combining marks, control characters and lone surrogates do not throw', () => {
  const texts = ['مرحبا بالعالم', '猫の写真', '😀👍🏽 family 👨‍👩‍👧', 'e\u0301 cafe\u0301', 'a\u0000b\u0007c\u001b', '\uD800 half', 'Ω≈ç√ ∫'];
  const batch = clip.encodeBatch(texts);
  for (const item of batch.items) {
    assert.equal(item.ids[0], SOT, item.text);
    assert.equal(item.ids[item.ids.length - 1], EOT, item.text);
    assert.equal(item.tokens.length, item.ids.length);
    assert.ok(item.ids.length > 2, `${JSON.stringify(item.text)} has body tokens`);
  }
  // NUL is byte 0, which byte-level BPE stores as U+0100 "Ā"; the display shows the byte instead.
  assert.deepEqual(clip.encodeBatch(['a\u0000b']).items[0].tokens, ['<|startoftext|>', 'a', '<0x00>', 'b', '<|endoftext|>']);
  // "é" is bytes C3 A9, stored as "Ã©": shown as "é".
  assert.ok(clip.encodeBatch(['é']).items[0].tokens.includes('é'));
});

/** A four-word WordPiece vocabulary with a [UNK] token, a Bert post-processor and a padding section. */
const wordPieceJson = {
  version: '1.0',
  padding: { pad_id: 0, pad_token: '[PAD]' },
  added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, cat: 4, dog: 5, '##s': 6 } },
};
const wordPiece = loadTokenizer({
  tokenizerJson: wordPieceJson,
  tokenizerConfig: {},
  config: parseModelConfig({ model_type: 'bert-like', max_position_embeddings: 16 }),
});

test('unknown words become the unknown token; pad and end ids come from tokenizer.json', () => {
  assert.deepEqual([wordPiece.maxLength, wordPiece.padId, wordPiece.eosId], [16, 0, 3]);
  const batch = wordPiece.encodeBatch(['cat', 'Cat zebra dogs']);
  assert.deepEqual(batch.items[1].ids, [2, 4, 1, 5, 6, 3]);
  assert.deepEqual(batch.items[1].tokens, ['[CLS]', 'cat', '[UNK]', 'dog', '##s', '[SEP]']);
  assert.deepEqual([...batch.ids.slice(0, 6)], [2n, 4n, 3n, 0n, 0n, 0n]);
  const cut = wordPiece.encodeBatch(['cat zebra dogs'], { padTo: 4 }).items[0];
  assert.deepEqual([cut.ids, cut.truncated, cut.eosIndex], [[2, 4, 1, 3], true, 3]);
});

test('a single-stream model truncates to its token layout\'s text slots', () => {
  const layout = { text_start: 1, text_end: 5, image_start: 5, image_tokens: 4, rows: 2, cols: 2 };
  const fused = loadTokenizer({ tokenizerJson: wordPieceJson, tokenizerConfig: {}, config: parseModelConfig({ max_position_embeddings: 9, token_layout: layout }) });
  assert.equal(fused.maxLength, 4);
  assert.deepEqual(fused.encodeBatch(['cat dog cat dog']).items[0].ids, [2, 4, 5, 3]);
});

test('a tokenizer.json the library cannot read is a badModel error naming the file', () => {
  assert.throws(
    () => loadTokenizer({ tokenizerJson: { model: { type: 'BPE', vocab: {}, merges: [] } }, tokenizerConfig: {}, config: parseModelConfig({}) }),
    (e: unknown) => e instanceof LensError && e.kind === 'badModel' && /^tokenizer\.json: cannot be loaded/.test(e.message),
  );
});

test('200,000 texts in one batch are padded to the longest (issue 19 item 5: a spread of their lengths overflowed the stack)', () => {
  const texts = Array.from({ length: 200_000 }, (_, i) => (i === 123_456 ? 'a photo of a cat' : 'cat'));
  const batch = clip.encodeBatch(texts);
  // "a photo of a cat" is 5 words between the start and end tokens; "cat" is 1.
  assert.equal(batch.length, 7);
  assert.equal(batch.ids.length, 200_000 * 7);
  assert.deepEqual(Array.from(batch.ids.subarray(0, 7), Number), [SOT, 2368, EOT, EOT, EOT, EOT, EOT]);
});

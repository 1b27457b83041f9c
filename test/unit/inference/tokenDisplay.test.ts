// Display strings for byte-level BPE tokens, checked against GPT-2's byte table worked out by hand:
// printable Latin-1 bytes stand for themselves, the others (0-32, 127-160, 173) map in order to U+0100...
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTokenDisplay } from '../../../src/inference/model/tokenDisplay';

const clipLike = makeTokenDisplay({ model: { end_of_word_suffix: '</w>' }, decoder: { type: 'ByteLevel' } }, new Set(['<|endoftext|>']));

test('CLIP tokens: the word-end marker goes, bytes become characters', () => {
  assert.equal(clipLike('cat</w>'), 'cat');
  assert.equal(clipLike('bn'), 'bn');
  assert.equal(clipLike('Ã©</w>'), 'é'); // U+00C3 U+00A9 = bytes C3 A9 = é
  // ð = F0; Ł = U+0141 = 256 + 65, the 66th unprintable byte = 127 + 32 = 9F; ĺ -> 98; Ģ -> 80: F0 9F 98 80 = 😀
  assert.equal(clipLike('ðŁĺĢ'), '😀');
  assert.equal(clipLike('<|endoftext|>'), '<|endoftext|>');
});

test('partial characters and control bytes show as <0xNN>', () => {
  assert.equal(clipLike('Ì'), '<0xCC>'); // first byte of a combining mark split from its second
  assert.equal(clipLike('Ā</w>'), '<0x00>'); // U+0100 = byte 0
  assert.equal(clipLike('aĀ'), 'a<0x00>');
});

test('a ByteLevel pre-tokenizer inside a Sequence is found; other tokenizers are left as they are', () => {
  const nested = makeTokenDisplay({ pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split' }, { type: 'ByteLevel' }] } }, new Set());
  assert.equal(nested('Ã©'), 'é');
  const wordPiece = makeTokenDisplay({ model: { type: 'WordPiece' } }, new Set());
  assert.equal(wordPiece('##s'), '##s');
  assert.equal(wordPiece('Ã©'), 'Ã©');
  assert.equal(wordPiece('a\u0001'), 'a<0x01>');
});

// The token a hidden text token becomes, read from each fixture's own tokenizer files: the pad token (`<|pad|>` 2 of
// the shapes models, BERT's [PAD] 0 of ViLT and BLIP), or id 0 as MM-SHAP's authors where the pad token is the end
// token (Hugging Face's CLIP: `<|endoftext|>`; SigLIP: `</s>`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { loadTokenizer } from '../../../src/inference/model/tokenize';
import { defaultMaskId, specialIdsOf } from '../../../src/inference/tasks/pairPerturbation';

const root = join(__dirname, '..', '..', '..');

test('the default mask id of each fixture, and the start and end ids kept in place', async () => {
  const cases: [string, number, number[]][] = [
    ['models/shapes-clip', 2, [0, 1]],
    ['models/shapes-fusion', 2, [0, 1]],
    ['test/fixtures/hf-clip', 0, [14, 15]],
    ['test/fixtures/hf-siglip', 0, [1]],
    ['test/fixtures/hf-vilt', 0, [2, 3]],
    ['test/fixtures/hf-blip', 0, [2, 3]],
  ];
  for (const [dir, mask, specials] of cases) {
    const tokenizer = loadTokenizer(await loadModelFolder(join(root, dir)));
    assert.equal(defaultMaskId(tokenizer), mask, dir);
    assert.deepEqual([...specialIdsOf(tokenizer)].sort((a, b) => a - b), specials, dir);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VL_INTERPRET_BLOCKS, vlInterpretMeans, vlInterpretStats } from '../../../src/analysis/attention/vlInterpret';
import type { VlInterpretStats } from '../../../src/shared/probeResult';
import { assertClose } from './helpers';

// tools/fixtures/vlInterpret.py: VL-InterpreT's db_analyzer statistics (numpy deletes, slices, scipy's zscore).
const reference = JSON.parse(readFileSync('test/fixtures/vl-interpret/reference.json', 'utf8')) as {
  layers: number;
  heads: number;
  tokens: string[];
  attention: number[];
  stats: VlInterpretStats;
};
const { layers, heads, tokens } = reference;
const T = tokens.length;
const attention = Array.from({ length: layers }, (_, l) => Float32Array.from(reference.attention.slice(l * heads * T * T, (l + 1) * heads * T * T)));
// ViLT's order: [CLS] three words [SEP] two pads, then five image tokens.
const layout = { textStart: 0, textEnd: 7, imageStart: 7, imageTokens: 5 };
const textMask = [1, 1, 1, 1, 1, 0, 0];
const startOrEnd = (p: number) => tokens[p] === '[CLS]' || tokens[p] === '[SEP]';

test("every block's z over layers and layer mean equal VL-InterpreT's, crossmodal and intramodal too", () => {
  const stats = vlInterpretStats([vlInterpretMeans(attention, heads, T, layout, textMask, startOrEnd)!]);
  assert.deepEqual(Object.keys(stats).sort(), [...VL_INTERPRET_BLOCKS, 'crossmodal', 'intramodal'].sort());
  for (const [name, expected] of Object.entries(reference.stats)) {
    const got = stats[name as keyof VlInterpretStats];
    assertClose(got.z.flat(), expected.z.flat(), 1e-4);
    assertClose(got.layerMean, expected.layerMean, 1e-4);
  }
});

test('the block means are per cell: a uniform row puts 1 / T on every key, whatever the block size', () => {
  const uniform = [Float32Array.from({ length: heads * T * T }, () => 1 / T)];
  const { means } = vlInterpretMeans(uniform, heads, T, layout, textMask, startOrEnd)!;
  for (const block of VL_INTERPRET_BLOCKS.filter((b) => b !== 'img2imgWithoutSelf')) assertClose(means[block], [1 / T, 1 / T], 1e-7);
  // Of the 5 x 5 image cells, the diagonal and its two neighbours (13) are zeroed but still counted.
  assertClose(means.img2imgWithoutSelf, [(12 / 25) / T, (12 / 25) / T], 1e-7);
});

test('averaging two items averages their block means before the z-scores; one layer gives z = 0, not NaN', () => {
  const one = vlInterpretMeans(attention, heads, T, layout, textMask, startOrEnd)!;
  const flipped = vlInterpretMeans([...attention].reverse(), heads, T, layout, textMask, startOrEnd)!;
  const both = vlInterpretStats([one, flipped]);
  // The mean of a sequence and its reverse is symmetric over the layers, so are its z-scores.
  for (const row of [0, 1]) assertClose(both.img2txt.z[row], both.img2txt.z[layers - 1 - row], 1e-9);
  const single = vlInterpretStats([vlInterpretMeans(attention.slice(0, 1), heads, T, layout, textMask, startOrEnd)!]);
  assert.deepEqual(single.crossmodal.z, [[0, 0]]);
  // An empty caption ([CLS] [SEP]) has no text block.
  assert.equal(vlInterpretMeans(attention, heads, T, layout, [1, 0, 0, 0, 1, 0, 0], startOrEnd), undefined);
});

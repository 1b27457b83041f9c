// Head statistics, text attention and rollout variants in the analysis result, on the tiny synthetic CLIP and
// the tiny single-stream model: each checked against the attention the same result returns (--attention),
// sliced and averaged here by hand, and the rollout against a reference product written below.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { headStatistics, type PatchGeometry } from '../../../src/analysis/attention/headStats';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import type { HeadStat } from '../../../src/shared/attentionDetails';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';

const texts = ['a red circle', 'a big blue square on the left'];
let clip: TinyClip;
let fusion: TinyFusion;
let work: string;
let service: InferenceService;
let image: string;

before(async () => {
  clip = writeTinyClip();
  fusion = writeTinyFusion({ imageCls: true });
  work = mkdtempSync(join(tmpdir(), 'mmlens-details-'));
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir });
  image = join(work, 'scene.png');
  const pixels = Buffer.from(Array.from({ length: 40 * 40 * 3 }, (_, i) => (i * 37) % 256));
  await sharp(pixels, { raw: { width: 40, height: 40, channels: 3 } }).png().toFile(image);
});
after(async () => {
  await service.dispose();
  clip.remove();
  fusion.remove();
  rmSync(work, { recursive: true, force: true });
});

/** [head][q][k] of the returned JSON restricted to the tokens `keep`, flattened for headStatistics. */
function sliced(heads: number[][][], keep: number[]): Float32Array {
  return Float32Array.from(heads.flatMap((head) => keep.flatMap((q) => keep.map((k) => head[q][k]))));
}

/** headStatistics over every layer of one item, restricted to `keep`, as the JSON's [layer][head]. */
function expectedStats(layers: number[][][][], keep: number[], geometry: PatchGeometry): HeadStat[][] {
  const heads = layers[0].length;
  const s = headStatistics(layers.map((l) => sliced(l, keep)), heads, keep.length, geometry);
  return Array.from({ length: s.layers }, (_, l) => Array.from({ length: heads }, (_, h) => {
    const i = l * heads + h;
    return { entropy: s.entropy[i], normalizedEntropy: s.normalizedEntropy[i], meanDistance: s.meanDistance[i], clsShare: s.clsShare[i], diagonalShare: s.diagonalShare[i] };
  }));
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, k) => from + k);
const meanOverHeads = (heads: number[][][], q: number, k: number) => heads.reduce((s, h) => s + h[q][k], 0) / heads.length;

/** Row `query` of the rollout variant: heads fused by `fusion`, identity added when `residual`, rows normalised, layers start.. multiplied. */
function rolloutRowVariant(attention: number[][][][], query: number, fusion: 'mean' | 'max' | 'min', start: number, residual: boolean): number[] {
  const T = attention[0][0].length;
  let row: number[] = range(T).map((k) => (k === query ? 1 : 0));
  for (let l = attention.length - 1; l >= start; l--) {
    const a = range(T).map((q) => {
      const fused = range(T).map((k) => {
        const values = attention[l].map((h) => h[q][k]);
        const f = fusion === 'mean' ? values.reduce((s, v) => s + v, 0) / values.length : fusion === 'max' ? Math.max(...values) : Math.min(...values);
        return f + (residual && q === k ? 1 : 0);
      });
      const sum = fused.reduce((s, v) => s + v, 0);
      return fused.map((v) => v / sum);
    });
    row = range(T).map((k) => row.reduce((s, r, q) => s + r * a[q][k], 0));
  }
  return row;
}

test('two-tower head statistics equal headStatistics of the returned attention, per image and per text (real tokens only)', async () => {
  const result = await service.analyze({ images: [image, image], texts, includeAttention: true, headStats: true });
  const vision = result.attention!.vision!;
  const geometry = { rows: 4, cols: 4, firstPatch: 1, clsIndex: 0 };
  for (let i = 0; i < 2; i++) assert.deepEqual(result.headStats!.vision![i], expectedStats(vision.map((l) => l[i]), range(clip.visionTokens), geometry));
  const text = result.attention!.text!;
  result.texts.forEach((t, j) => {
    const n = t.tokens.length;
    assert.deepEqual(result.headStats!.text![j], expectedStats(text.map((l) => l[j]), range(n), { rows: 1, cols: n, firstPatch: 0, clsIndex: 0 }));
  });
  assert.equal(result.headStats!.text![0].length, clip.options.textLayers);
  assert.equal(result.textAttention, undefined);
});

test('text attention is the head mean of the last text layer over the real tokens, the causal mask marked, not zero weight', async () => {
  const result = await service.analyze({ images: [image], texts, includeAttention: true, textAttention: true });
  const text = result.attention!.text!;
  const last = text[text.length - 1];
  result.texts.forEach((t, j) => {
    const entry = result.textAttention![j];
    const n = t.tokens.length;
    assert.deepEqual([entry.layer, entry.tokens, entry.self!.causal], [text.length - 1, n, true]);
    for (let q = 0; q < n; q++) {
      for (let k = 0; k < n; k++) {
        assert.equal(entry.self!.masked[q][k], k > q, `masked[${q}][${k}]`);
        assert.ok(Math.abs(entry.self!.values[q][k] - meanOverHeads(last[j], q, k)) < 1e-6);
      }
      // Padding keys come after the real ones, so a causal row puts nothing on them.
      assert.equal(entry.self!.paddingMass[q], 0);
    }
  });
  assert.equal(result.textAttention![0].self!.values.length, 5);
  assert.equal(result.headStats, undefined);
});

test('rollout variants reach the maps and are reported; the default is mean fusion from layer 0 with the residual', async () => {
  const plain = await service.analyze({ images: [image], texts: [texts[0]] });
  assert.deepEqual(plain.rollout, { fusion: 'mean', startLayer: 0, residual: true, discardRatio: 0 });
  for (const [fusion, start, residual] of [['max', 1, false], ['min', 0, true], ['mean', 1, false]] as const) {
    const result = await service.analyze({ images: [image], texts: [texts[0]], includeAttention: true, rollout: { fusion, startLayer: start, residual } });
    assert.deepEqual(result.rollout, { fusion, startLayer: start, residual, discardRatio: 0 });
    const row = rolloutRowVariant(result.attention!.vision!.map((l) => l[0]), 0, fusion, start, residual);
    result.maps.rollout[0].flat().forEach((v, k) => assert.ok(Math.abs(v - row[1 + k]) < 1e-5, `${fusion}/${start}/${residual} patch ${k}: ${v} vs ${row[1 + k]}`));
  }
  await assert.rejects(
    service.analyze({ images: [image], texts: [texts[0]], rollout: { startLayer: 2 } }),
    (e: unknown) => e instanceof LensError && e.kind === 'badInput' && /start layer 2 is out of range/.test(e.message),
  );
});

test('single-stream: head statistics over the real tokens of each pair, text-to-patch maps per text token, rollout variant in the maps', async () => {
  const result = await service.analyze({
    modelDir: fusion.dir, images: [image], texts, includeAttention: true, headStats: true, textAttention: true, rollout: { fusion: 'max', startLayer: 0, residual: false },
  });
  const joint = result.attention!.joint!;
  const L = fusion.options.textLength;
  const imageTokens = range(fusion.imageTokens, L);
  result.texts.forEach((t, j) => {
    const n = t.tokens.length;
    // Real text tokens, then the image CLS (index n) and the patches (from n + 1); the ITM token is 0.
    const expected = expectedStats(joint.map((l) => l[j]), [...range(n), ...imageTokens], { rows: 4, cols: 4, firstPatch: n + 1, clsIndex: 0 });
    assert.deepEqual(result.headStats!.joint![j], expected);
    const entry = result.textAttention![j];
    const last = joint[joint.length - 1][j];
    assert.deepEqual([entry.layer, entry.tokens, entry.toImage!.length, entry.toImage![0].length], [joint.length - 1, n, 1, n]);
    for (let q = 0; q < n; q++) {
      entry.toImage![0][q].flat().forEach((v, p) => assert.ok(Math.abs(v - meanOverHeads(last, q, L + 1 + p)) < 1e-6));
      const mass = imageTokens.reduce((s, k) => s + meanOverHeads(last, q, k), 0);
      assert.ok(Math.abs(entry.imageMass![0][q] - mass) < 1e-5);
    }
  });
  assert.deepEqual(result.rollout, { fusion: 'max', startLayer: 0, residual: false, discardRatio: 0 });
  const itmRows = texts.map((_, j) => rolloutRowVariant(joint.map((l) => l[j]), 0, 'max', 0, false));
  result.maps.rollout[0].flat().forEach((v, p) => {
    const mean = (itmRows[0][L + 1 + p] + itmRows[1][L + 1 + p]) / 2;
    assert.ok(Math.abs(v - mean) < 1e-5, `patch ${p}: ${v} vs ${mean}`);
  });
});

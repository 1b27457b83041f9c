// `probe` on a tiny synthetic single-stream (ViLT-like) model: the N x N log-odds, retrieval, EMAP and the
// ablation against plain onnxruntime runs of the untouched graph on hand-made inputs, and the cross-modal
// attention share against a formula written here on the attention that `analyze` returns for each pair.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { emapProjection } from '../../../src/analysis/probes/emap';
import { recallAtK } from '../../../src/analysis/probes/pairMetrics';
import { InferenceService } from '../../../src/inference/service';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';
import { CAPTIONS, COLOURS, meanColour, near, uniformImage, uniformPixels, writeJsonl } from './probeFixtures';

const N = 4;
let fusion: TinyFusion;
let work: string;
let service: InferenceService;
let session: ort.InferenceSession;

/** Ids and mask by hand: start, the words, end, then the pad id up to L. */
function handTokens(text: string): { ids: number[]; mask: number[] } {
  const vocab = (JSON.parse(readFileSync(join(fusion.dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  const L = fusion.options.textLength;
  const real = [fusion.tokenIds.bos, ...text.split(' ').filter(Boolean).map((w) => vocab[w]), fusion.tokenIds.eos];
  return { ids: [...real, ...Array(L - real.length).fill(fusion.tokenIds.pad)], mask: real.map(() => 1).concat(Array(L - real.length).fill(0)) };
}

/** logit(match) - logit(no match) of the untapped graph. */
async function logOdds(rgb: number[], text: string): Promise<number> {
  const size = fusion.options.imageSize;
  const { ids, mask } = handTokens(text);
  const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
  const out = await session.run({ input_ids: int64(ids), attention_mask: int64(mask), pixel_values: new ort.Tensor('float32', uniformPixels(fusion.dir, rgb, size), [1, 3, size, size]) });
  const [noMatch, match] = out.itm_logits.data as Float32Array;
  return match - noMatch;
}

/** Text to image, image to text and within-modality attention of one head's [q][k] rows, by the definitions. */
function share(head: number[][], mask: number[], imageStart: number, imageTokens: number): [number, number, number] {
  const text = mask.flatMap((m, c) => (m === 1 ? [c] : []));
  const image = Array.from({ length: imageTokens }, (_, k) => imageStart + k);
  const mass = (q: number, keys: number[]) => keys.reduce((s, k) => s + head[q][k], 0);
  const sum = (queries: number[], keys: number[]) => queries.reduce((s, q) => s + mass(q, keys), 0);
  return [sum(text, image) / text.length, sum(image, text) / image.length, (sum(text, text) + sum(image, image)) / (text.length + image.length)];
}

before(async () => {
  fusion = writeTinyFusion({ imageCls: true });
  work = mkdtempSync(join(tmpdir(), 'mmlens-probe-fusion-'));
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: fusion.dir });
  session = await ort.InferenceSession.create(fusion.graphBytes());
  await Promise.all(COLOURS.slice(0, N).map((rgb, i) => uniformImage(work, `img${i}.png`, rgb)));
});
after(async () => {
  await Promise.all([service.dispose(), session.release()]);
  fusion.remove();
  rmSync(work, { recursive: true, force: true });
});

test('every image x caption is one joint pass; retrieval, EMAP and ablation follow the log-odds', async () => {
  const path = writeJsonl(join(work, 'set.jsonl'), CAPTIONS.slice(0, N).map((caption, i) => ({ image: `img${i}.png`, caption })));
  const stages = new Map<string, number>();
  const result = await service.probe({ manifest: { path } }, { onProgress: (p) => stages.set(p.stage, p.total) });
  // Progress says what it counts: every image with every caption and the empty text, then the mean image's scores.
  assert.equal(stages.get('image x caption scores'), N * (N + 1));
  assert.equal(stages.get('mean-image scores'), N);
  assert.equal(stages.has('pairs'), false);
  const S = new Float32Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) S[i * N + j] = await logOdds(COLOURS[i], CAPTIONS[j]);
  assert.equal(result.model.architecture, 'singleStream');
  assert.equal(result.scoreKind, 'itmLogOdds');
  result.scores!.forEach((row, i) => row.forEach((v, j) => near(v, S[i * N + j], 1e-4, `scores[${i}][${j}]`)));
  for (const [key, k] of [['r1', 1], ['r5', 5]] as const) {
    near(result.retrieval.imageToText[key], recallAtK(S, N, k).imageToText, 1e-9, `imageToText ${key}`);
    near(result.retrieval.textToImage[key], recallAtK(S, N, k).textToImage, 1e-9, `textToImage ${key}`);
  }
  assert.equal(result.emap.full, recallAtK(S, N, 1).imageToText);
  assert.equal(result.emap.additive, recallAtK(emapProjection(S, N, N), N, 1).imageToText);
  const mean = meanColour(COLOURS.slice(0, N));
  for (let i = 0; i < N; i++) {
    near(result.ablation.emptyText.drop[i], S[i * N + i] - (await logOdds(COLOURS[i], '')), 1e-4, `empty text drop ${i}`);
    near(result.ablation.meanImage.drop[i], S[i * N + i] - (await logOdds(mean, CAPTIONS[i])), 1e-4, `mean image drop ${i}`);
  }
  assert.equal(result.geometry, undefined);
  assert.equal(typeof result.timings.joint, 'number');
});

test('cross-modal attention: the mean share of the matched pairs per layer and head, with z-scores', async () => {
  const path = writeJsonl(join(work, 'share.jsonl'), CAPTIONS.slice(0, N).map((caption, i) => ({ image: `img${i}.png`, caption, label: i === 1 ? 0 : 1 })));
  const result = await service.probe({ manifest: { path } });
  const { layers, heads } = fusion.options;
  const L = fusion.options.textLength;
  const expected = Array.from({ length: layers }, () => Array.from({ length: heads }, () => [0, 0, 0]));
  const matched = [0, 2, 3];
  for (const i of matched) {
    const analysis = await service.analyze({ images: [join(work, `img${i}.png`)], texts: [CAPTIONS[i]], includeAttention: true });
    const joint = analysis.attention!.joint!;
    for (let l = 0; l < layers; l++) {
      for (let h = 0; h < heads; h++) {
        share(joint[l][0][h], handTokens(CAPTIONS[i]).mask, L, fusion.imageTokens).forEach((v, m) => (expected[l][h][m] += v / matched.length));
      }
    }
  }
  const cells = result.crossModalAttention!;
  assert.equal(cells.length, layers);
  const all = expected.flat();
  for (const [m, key] of (['textToImage', 'imageToText', 'within'] as const).entries()) {
    const values = all.map((v) => v[m]);
    const average = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - average) ** 2, 0) / values.length);
    cells.forEach((row, l) => row.forEach((cell, h) => {
      near(cell[key], expected[l][h][m], 1e-5, `${key}[${l}][${h}]`);
      near(cell.z[key], (expected[l][h][m] - average) / std, 1e-3, `z ${key}[${l}][${h}]`);
    }));
  }
});

test("VL-InterpreT's statistics of the same pairs: per-cell block means without start and end tokens, z over layers per head", async (t) => {
  // Four layers, so that a z-score over the layers says more than its sign.
  const deep = writeTinyFusion({ imageCls: true, layers: 4 });
  t.after(() => deep.remove());
  const path = writeJsonl(join(work, 'vl.jsonl'), CAPTIONS.slice(0, N).map((caption, i) => ({ image: `img${i}.png`, caption })));
  const result = await service.probe({ modelDir: deep.dir, manifest: { path } });
  const { layers, heads } = deep.options;
  const L = deep.options.textLength;
  const image = Array.from({ length: deep.imageTokens }, (_, k) => L + k);
  const cellMean = (head: number[][], queries: number[], keys: number[]) => queries.reduce((s, q) => s + keys.reduce((t, k) => t + head[q][k], 0), 0) / (queries.length * keys.length);
  // [layer][head] means of text queries on image keys (their img2txt) and image queries on text keys (txt2img).
  const means = [0, 1].map(() => Array.from({ length: layers }, () => new Array<number>(heads).fill(0)));
  for (let i = 0; i < N; i++) {
    const joint = (await service.analyze({ modelDir: deep.dir, images: [join(work, `img${i}.png`)], texts: [CAPTIONS[i]], includeAttention: true })).attention!.joint!;
    const real = handTokens(CAPTIONS[i]).mask.flatMap((m, c) => (m === 1 ? [c] : []));
    const words = real.slice(1, -1);
    for (let l = 0; l < layers; l++) {
      for (let h = 0; h < heads; h++) {
        means[0][l][h] += cellMean(joint[l][0][h], words, image) / N;
        means[1][l][h] += cellMean(joint[l][0][h], image, words) / N;
      }
    }
  }
  const zOverLayers = (m: number[][]) => m.map((row) => row.map((v, h) => {
    const column = m.map((r) => r[h]);
    const average = column.reduce((s, x) => s + x, 0) / layers;
    const std = Math.sqrt(column.reduce((s, x) => s + (x - average) ** 2, 0) / layers);
    return (v - average) / std;
  }));
  const [img2txt, txt2img] = means.map(zOverLayers);
  const crossmodal = zOverLayers(img2txt.map((row, l) => row.map((v, h) => (v + txt2img[l][h]) / 2)));
  const stats = result.vlInterpret!;
  for (const [name, expected] of [['img2txt', img2txt], ['txt2img', txt2img], ['crossmodal', crossmodal]] as const) {
    stats[name].z.forEach((row, l) => row.forEach((v, h) => near(v, expected[l][h], 1e-3, `${name}[${l}][${h}]`)));
    stats[name].layerMean.forEach((v, l) => near(v, expected[l].reduce((s, x) => s + x, 0) / heads, 1e-3, `${name} layer ${l}`));
  }
});

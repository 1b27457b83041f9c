// `probe` on a tiny synthetic CLIP: the score matrix, retrieval, EMAP, perceptual score, ablation and geometry
// against plain onnxruntime runs of the untouched towers on hand-computed inputs, with the analysis functions
// applied to that independent matrix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { emapProjection } from '../../../src/analysis/probes/emap';
import { modalityGap, pairAlignment, uniformity } from '../../../src/analysis/probes/embeddingGeometry';
import { accuracyAt, bestThreshold, recallAtK, rocAuc } from '../../../src/analysis/probes/pairMetrics';
import { permutedPairs } from '../../../src/analysis/probes/perceptualScore';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import { tinyClipIds, writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { cosine } from '../../support/reference';
import { CAPTIONS, COLOURS, matrix, meanColour, near, referenceRecallAt1, uniformImage, uniformPixels, writeJsonl } from './probeFixtures';

let clip: TinyClip;
let work: string;
let service: InferenceService;
let images: string[];
let vision: ort.InferenceSession;
let text: ort.InferenceSession;

async function imageEmbeds(rgb: number[]): Promise<Float32Array> {
  const size = clip.options.imageSize;
  const out = await vision.run({ pixel_values: new ort.Tensor('float32', uniformPixels(clip.dir, rgb, size), [1, 3, size, size]) });
  return out.image_embeds.data as Float32Array;
}

async function textEmbeds(caption: string): Promise<Float32Array> {
  const ids = tinyClipIds(clip, caption);
  const out = await text.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
  return out.text_embeds.data as Float32Array;
}

const flat = (rows: Float32Array[]) => Float32Array.from(rows.flatMap((r) => Array.from(r)));

before(async () => {
  clip = writeTinyClip();
  work = mkdtempSync(join(tmpdir(), 'mmlens-probe-clip-'));
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir });
  images = await Promise.all(COLOURS.map((rgb, i) => uniformImage(work, `img${i}.png`, rgb, 40 + 8 * i, 36)));
  vision = await ort.InferenceSession.create(clip.towerBytes('vision'));
  text = await ort.InferenceSession.create(clip.towerBytes('text'));
});
after(async () => {
  await Promise.all([service.dispose(), vision.release(), text.release()]);
  clip.remove();
  rmSync(work, { recursive: true, force: true });
});

test('unlabelled set: scores, retrieval, EMAP, perceptual score, ablation and geometry match the reference', async () => {
  const rows = CAPTIONS.map((caption, i) => ({ image: `img${i}.png`, caption }));
  rows.splice(2, 0, { image: 'missing.png', caption: 'a white cat' });
  const result = await service.probe({ manifest: { path: writeJsonl(join(work, 'set.jsonl'), rows) }, seed: 3 });
  const n = CAPTIONS.length;
  const img = await Promise.all(COLOURS.map(imageEmbeds));
  const txt = await Promise.all(CAPTIONS.map(textEmbeds));
  const S = matrix(n, (i, j) => cosine(img[i], txt[j]));

  assert.equal(result.kind, 'probe');
  assert.equal(result.scoreKind, 'cosine');
  assert.deepEqual(result.pairs, CAPTIONS.map((caption, i) => ({ image: images[i], caption })));
  assert.deepEqual(result.manifest, { path: join(work, 'set.jsonl'), format: 'jsonl', pairs: n, limit: 500, limited: false, labelled: false, missingImages: { count: 1, examples: [`line 3: ${join(work, 'missing.png')}`] }, outsideImages: { count: 0, examples: [] }, unreadableImages: { count: 0, examples: [] } });
  assert.ok(result.model.notices.some((note) => note.includes('1 manifest row(s) were skipped')));
  result.scores!.forEach((row, i) => row.forEach((v, j) => near(v, S[i * n + j], 1e-4, `scores[${i}][${j}]`)));

  for (const [key, k] of [['r1', 1], ['r5', 5], ['r10', 10]] as const) {
    const expected = recallAtK(S, n, k);
    near(result.retrieval.imageToText[key], expected.imageToText, 1e-9, `imageToText ${key}`);
    near(result.retrieval.textToImage[key], expected.textToImage, 1e-9, `textToImage ${key}`);
  }
  assert.deepEqual(result.retrieval.queries, { imageToText: n, textToImage: n });

  const full = recallAtK(S, n, 1).imageToText;
  const { notice, ...emap } = result.emap;
  assert.deepEqual(emap, { metric: 'recall@1', full, additive: recallAtK(emapProjection(S, n, n), n, 1).imageToText });
  // Without labels the additive recall@1 is 1/N by construction, and the result says so beside the figure.
  assert.equal(result.emap.additive, 1 / n);
  assert.match(notice ?? '', new RegExp(`fixed by construction.*1/${n} = ${(1 / n).toFixed(3)} whatever the model`));

  const runs = (permuteRows: boolean) => [0, 1, 2, 3, 4].map((r) => {
    const perm = permutedPairs(n, 3 + r);
    return recallAtK(matrix(n, (i, j) => (permuteRows ? S[perm[i] * n + j] : S[i * n + perm[j]])), n, 1).imageToText;
  });
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  assert.deepEqual(result.perceptualScore.permuted, { image: runs(true), text: runs(false) });
  near(result.perceptualScore.image, full - mean(runs(true)), 1e-12, 'perceptual image');
  near(result.perceptualScore.text, full - mean(runs(false)), 1e-12, 'perceptual text');
  assert.equal(result.perceptualScore.seed, 3);

  const empty = await textEmbeds('');
  const meanImage = await imageEmbeds(meanColour(COLOURS));
  for (let i = 0; i < n; i++) {
    near(result.ablation.matched[i], S[i * n + i], 1e-4, `matched ${i}`);
    near(result.ablation.emptyText.scores[i], cosine(img[i], empty), 1e-4, `empty text ${i}`);
    near(result.ablation.meanImage.scores[i], cosine(meanImage, txt[i]), 1e-4, `mean image ${i}`);
  }
  near(result.ablation.emptyText.meanDrop, mean(img.map((e, i) => S[i * n + i] - cosine(e, empty))), 1e-4, 'empty text mean drop');
  near(result.ablation.meanImage.meanDrop, mean(txt.map((e, i) => S[i * n + i] - cosine(meanImage, e))), 1e-4, 'mean image mean drop');

  const dim = img[0].length;
  const geometry = result.geometry!;
  near(geometry.modalityGap, modalityGap(flat(img), flat(txt), dim), 1e-4, 'modality gap');
  near(geometry.alignment, pairAlignment(flat(img), flat(txt), dim), 1e-4, 'alignment');
  near(geometry.uniformity.image!, uniformity(flat(img), dim), 1e-4, 'uniformity image');
  near(geometry.uniformity.text!, uniformity(flat(txt), dim), 1e-4, 'uniformity text');
  assert.equal(geometry.pca.images.length, n);
  assert.equal(geometry.pca.texts.length, n);
  assert.ok(geometry.pca.explainedVarianceRatio[0] >= geometry.pca.explainedVarianceRatio[1]);
  assert.equal(result.crossModalAttention, undefined);
  for (const stage of ['manifest', 'load', 'towers', 'analysis']) assert.equal(typeof result.timings[stage], 'number');
});

test('labelled set: accuracy at the full model\'s threshold and AUC, for EMAP and the perceptual score', async () => {
  const labels = [1, 0, 1, 0, 1];
  const rows = CAPTIONS.map((caption, i) => ({ image: `img${i}.png`, caption, label: labels[i] }));
  const result = await service.probe({ manifest: { path: writeJsonl(join(work, 'labelled.jsonl'), rows) }, seed: 0 });
  const n = CAPTIONS.length;
  const img = await Promise.all(COLOURS.map(imageEmbeds));
  const txt = await Promise.all(CAPTIONS.map(textEmbeds));
  const S = matrix(n, (i, j) => cosine(img[i], txt[j]));
  const diag = (m: Float32Array) => Float32Array.from({ length: n }, (_, i) => m[i * n + i]);
  const additive = emapProjection(S, n, n);
  const { threshold } = bestThreshold(diag(S), labels);

  assert.equal(result.manifest.labelled, true);
  assert.deepEqual(result.pairs.map((p) => p.label), labels);
  assert.equal(result.emap.metric, 'accuracy');
  assert.equal(result.emap.notice, undefined);
  near(result.emap.threshold!, threshold, 1e-4, 'threshold');
  assert.equal(result.emap.full, accuracyAt(diag(S), labels, threshold));
  assert.equal(result.emap.additive, accuracyAt(diag(additive), labels, threshold));
  assert.deepEqual(result.emap.auc, { full: rocAuc(diag(S), labels), additive: rocAuc(diag(additive), labels) });

  // Retrieval counts only the pairs labelled 1 as right answers.
  assert.deepEqual(result.retrieval.queries, { imageToText: 3, textToImage: 3 });
  const right = (q: number, c: number) => q === c && labels[q] === 1;
  near(result.retrieval.imageToText.r1, referenceRecallAt1(n, (q, c) => S[q * n + c], right), 1e-9, 'imageToText r1');
  near(result.retrieval.textToImage.r1, referenceRecallAt1(n, (q, c) => S[c * n + q], right), 1e-9, 'textToImage r1');

  const permuted = [0, 1, 2, 3, 4].map((r) => {
    const perm = permutedPairs(n, r);
    return accuracyAt(Float32Array.from({ length: n }, (_, i) => S[perm[i] * n + i]), labels, threshold);
  });
  assert.deepEqual(result.perceptualScore.permuted.image, permuted);
  // The ablation's mean drop is over the pairs labelled 1.
  const empty = await textEmbeds('');
  near(result.ablation.emptyText.meanDrop, [0, 2, 4].reduce((s, i) => s + S[i * n + i] - cosine(img[i], empty), 0) / 3, 1e-4, 'labelled mean drop');
});

test('labels without a non-matching pair leave nothing for the labelled form: recall@1, with the notice', async () => {
  const rows = CAPTIONS.map((caption, i) => ({ image: `img${i}.png`, caption, label: 1 }));
  const result = await service.probe({ manifest: { path: writeJsonl(join(work, 'positives.jsonl'), rows) } });
  assert.equal(result.manifest.labelled, true);
  assert.equal(result.emap.metric, 'recall@1');
  assert.equal(result.emap.additive, 1 / CAPTIONS.length);
  assert.match(result.emap.notice ?? '', /fixed by construction/);
  await assert.rejects(
    service.probe({ manifest: { path: join(work, 'positives.jsonl') }, metric: 'accuracy' }),
    (e: unknown) => e instanceof LensError && e.kind === 'badInput' && /both matching and non-matching/.test(e.message),
  );
});

test('repeated images (COCO, every caption): every caption of an image is a right answer', async () => {
  const coco = {
    images: COLOURS.slice(0, 3).map((_, i) => ({ id: i, file_name: `img${i}.png` })),
    annotations: [[0, 'a red circle'], [1, 'a blue square'], [0, 'a small red circle'], [2, 'a green triangle'], [1, 'the blue square']].map(([image_id, caption]) => ({ image_id, caption })),
  };
  const path = join(work, 'captions.json');
  writeJsonl(path, [coco]);
  const result = await service.probe({ manifest: { path, allCaptions: true } });
  const imageOf = coco.annotations.map((a) => a.image_id as number);
  const img = await Promise.all(COLOURS.slice(0, 3).map(imageEmbeds));
  const txt = await Promise.all(coco.annotations.map((a) => textEmbeds(a.caption as string)));
  const n = imageOf.length;
  result.scores!.forEach((row, i) => row.forEach((v, j) => near(v, cosine(img[imageOf[i]], txt[j]), 1e-4, `scores[${i}][${j}]`)));
  // Queries and candidates are the 3 distinct images and the 5 distinct captions; image i's right answers are its captions.
  const right = (image: number, caption: number) => imageOf[caption] === image;
  near(result.retrieval.imageToText.r1, referenceRecallAt1(3, (q, c) => cosine(img[q], txt[c]), right, n), 1e-9, 'imageToText r1');
  near(result.retrieval.textToImage.r1, referenceRecallAt1(n, (q, c) => cosine(img[c], txt[q]), (q, c) => right(c, q), 3), 1e-9, 'textToImage r1');
  assert.deepEqual(result.retrieval.queries, { imageToText: 3, textToImage: n });
  // Uniformity counts each distinct image once.
  near(result.geometry!.uniformity.image!, uniformity(flat(img), img[0].length), 1e-4, 'uniformity of the 3 distinct images');
});

test('progress is reported per stage, and aborting in the middle cancels the probe', async () => {
  const path = writeJsonl(join(work, 'cancel.jsonl'), CAPTIONS.map((caption, i) => ({ image: `img${i}.png`, caption })));
  const stages = new Set<string>();
  await service.probe({ manifest: { path } }, { onProgress: (p) => stages.add(p.stage) });
  assert.deepEqual([...stages], ['images', 'texts']);
  const controller = new AbortController();
  const onProgress = (p: { stage: string }) => p.stage === 'images' && controller.abort();
  await assert.rejects(service.probe({ manifest: { path } }, { signal: controller.signal, onProgress }), (e: unknown) => e instanceof LensError && e.kind === 'cancelled');
});

// Zero-shot classification through the service: on the tiny CLIP against plain onnxruntime embeddings of
// hand-tokenised prompts (ensembled and scored here), with a sigmoid when config.json has a logit bias, and on
// the tiny single-stream model against the ITM probabilities of `analyze` averaged over the templates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import { plainImageEmbeds, tinyClipIds, uniformPixels, writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';
import { cosine, softmax } from '../../support/reference';

const colours = [[200, 30, 30], [30, 40, 210]];
const labels = ['red circle', 'blue square', 'green triangle'];
const templates = ['a {label}', 'a photo of a {label}'];
let clip: TinyClip;
let fusion: TinyFusion;
let work: string;
let service: InferenceService;
let images: string[];

before(async () => {
  clip = writeTinyClip();
  fusion = writeTinyFusion();
  work = mkdtempSync(join(tmpdir(), 'mmlens-zeroshot-'));
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir });
  images = await Promise.all(colours.map(async (rgb, i) => {
    const path = join(work, `image-${i}.png`);
    await sharp({ create: { width: 40, height: 32, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path);
    return path;
  }));
});
after(async () => {
  await service.dispose();
  clip.remove();
  fusion.remove();
  rmSync(work, { recursive: true, force: true });
});

const imageEmbeds = async (rgb: number[]) => [...(await plainImageEmbeds(clip, uniformPixels(clip, rgb)))];

/** A label's class embedding: the unit text embeddings of its prompts, averaged (their norm does not matter to the cosine). */
async function classEmbedding(label: string): Promise<number[]> {
  const session = await ort.InferenceSession.create(clip.towerBytes('text'));
  const sum = new Array<number>(clip.options.projectionDim).fill(0);
  for (const template of templates) {
    const ids = tinyClipIds(clip, template.replace('{label}', label));
    const out = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
    const e = [...(out.text_embeds.data as Float32Array)];
    const norm = Math.hypot(...e);
    e.forEach((v, k) => (sum[k] += v / norm));
  }
  return sum;
}

test('probabilities are the softmax of logit scale x cosine with the ensembled prompt embeddings of plain onnxruntime runs', async () => {
  const result = await service.zeroShot({ images, labels, templates, topK: 2 });
  const classes = await Promise.all(labels.map(classEmbedding));
  for (const [i, rgb] of colours.entries()) {
    const image = await imageEmbeds(rgb);
    const cosines = classes.map((c) => cosine(image, c));
    const expected = softmax(cosines, clip.options.logitScale);
    result.images[i].similarity!.forEach((s, l) => assert.ok(Math.abs(s - cosines[l]) < 1e-4, `similarity[${i}][${l}]`));
    result.images[i].probabilities.forEach((p, l) => assert.ok(Math.abs(p - expected[l]) < 1e-3, `p[${i}][${l}] ${p} vs ${expected[l]}`));
    const order = labels.map((_, l) => l).sort((a, b) => expected[b] - expected[a]).slice(0, 2);
    assert.deepEqual(result.images[i].top.map((h) => h.label), order.map((l) => labels[l]));
  }
  assert.deepEqual([result.scoring, result.logitScale, result.templates, result.labels], ['softmax', clip.options.logitScale, templates, labels]);
  assert.deepEqual(result.images.map((i) => i.path), images);
  assert.equal(result.model.architecture, 'twoTower');
});

test('without templates the bundled model uses the one its config.json names, so the CLI and the extension rank alike', async () => {
  const bundled = join(__dirname, '../../../models/shapes-clip');
  const result = await service.zeroShot({ modelDir: bundled, images: [images[0]], labels: ['red circle', 'blue square'] });
  assert.deepEqual(result.templates, ['a {label}']);
  const explicit = await service.zeroShot({ modelDir: bundled, images: [images[0]], labels: ['red circle', 'blue square'], templates: ['a {label}'] });
  assert.deepEqual(result.images[0].probabilities, explicit.images[0].probabilities);
});

test('a model with a logit bias scores each label with a sigmoid; the default template is CLIP\'s', async () => {
  const dir = join(work, 'sigmoid');
  cpSync(clip.dir, dir, { recursive: true });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, logit_scale: 10, logit_bias: -2 }));
  const result = await service.zeroShot({ modelDir: dir, images: [images[0]], labels });
  assert.deepEqual(result.templates, ['a photo of a {label}.']);
  assert.deepEqual([result.scoring, result.logitScale, result.logitBias], ['sigmoid', 10, -2]);
  const { similarity, probabilities, top } = result.images[0];
  probabilities.forEach((p, l) => assert.ok(Math.abs(p - 1 / (1 + Math.exp(-(10 * similarity![l] - 2)))) < 1e-6));
  assert.equal(top.length, labels.length);
});

test('a single-stream model averages the ITM probability of each label\'s prompts, and says so', async () => {
  const result = await service.zeroShot({ modelDir: fusion.dir, images, labels, templates, topK: 1 });
  const prompts = labels.flatMap((label) => templates.map((t) => t.replace('{label}', label)));
  const analysed = await service.analyze({ modelDir: fusion.dir, images, texts: prompts });
  result.images.forEach((image, i) => {
    const expected = labels.map((_, l) => (analysed.itm![i][2 * l] + analysed.itm![i][2 * l + 1]) / 2);
    image.probabilities.forEach((p, l) => assert.ok(Math.abs(p - expected[l]) < 1e-6));
    const best = expected.indexOf(Math.max(...expected));
    assert.deepEqual(image.top, [{ label: labels[best], probability: image.probabilities[best] }]);
    assert.equal(image.similarity, undefined);
  });
  assert.equal(result.scoring, 'itm');
  assert.ok(result.model.notices.some((n) => n.includes('image-text matching probability') && n.includes('do not sum to 1')));
});

test('bad labels, templates and top-k are user errors', async () => {
  const badInput = (pattern: RegExp) => (e: unknown) => e instanceof LensError && e.kind === 'badInput' && pattern.test(e.message);
  await assert.rejects(service.zeroShot({ images, labels: [] }), badInput(/at least one label/));
  await assert.rejects(service.zeroShot({ images, labels, templates: ['a photo'] }), badInput(/no \{label\} placeholder/));
  await assert.rejects(service.zeroShot({ images, labels, topK: 0 }), badInput(/Top-k/));
  await assert.rejects(service.zeroShot({ images: [], labels }), badInput(/No image/));
});

// `mmlens evaluate --manifest` (src/evaluation/evaluateManifest.ts) on the tiny synthetic CLIP. Shapes-world scenes
// written as a COCO instances file (every kind a category, "a {label}") must give, method by method, the figures
// of the scenes' own evaluation (evaluateMaps.ts, which takes the boxes from the generator's truth instead of
// a file); the same scenes as phrases with boxes give the same maps and boxes, so the same pointing and energy.
// Cancelling keeps the cases done; an image the model cannot take, and a faulty row later on, do not lose the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateMaps } from '../../../src/evaluation/evaluateMaps';
import { evaluateManifest, worstCases, type ManifestEvaluateOptions } from '../../../src/evaluation/evaluateManifest';
import { generateScene } from '../../../src/shapesWorld/scene';
import type { SceneTruth } from '../../../src/shapesWorld/types';
import { ALL_KINDS } from '../../../src/shapesWorld/vocab';
import type { CaseResult, MapMethod, MethodSummary } from '../../../src/shared/mapEvaluation';
import { useTinyClipService } from '../../support/tinyClipService';

const run = useTinyClipService('mmlens-evaluate-manifest-');
const SEED = 21;
const SCENES = 3;
const METHODS: MapMethod[] = ['rollout', 'alignment', 'maskclip', 'occlusion', 'rise'];
const kindName = (o: { colour: string; shape: string }) => `${o.colour} ${o.shape}`;

/** The scenes evaluateMaps draws (two and three objects in turn), written beside the manifests. */
async function writeScenes(): Promise<SceneTruth[]> {
  const truths: SceneTruth[] = [];
  for (let index = 0; index < SCENES; index++) {
    const { png, truth } = await generateScene({ seed: SEED, index, objects: index % 2 === 0 ? 2 : 3 });
    writeFileSync(join(run.work, `scene-${index}.png`), png);
    truths.push(truth);
  }
  return truths;
}

function writeCoco(truths: SceneTruth[]): string {
  const categories = ALL_KINDS.map((kind, i) => ({ id: 100 + i, name: kindName(kind) }));
  const id = (o: { colour: string; shape: string }) => 100 + ALL_KINDS.findIndex((k) => kindName(k) === kindName(o));
  const annotations = truths.flatMap((truth, image) => truth.objects.map((o) => ({ image_id: image, category_id: id(o), bbox: [o.box.x, o.box.y, o.box.size, o.box.size] })));
  const path = join(run.work, 'instances.json');
  writeFileSync(path, JSON.stringify({ images: truths.map((_, i) => ({ id: i, file_name: `scene-${i}.png` })), categories, annotations }));
  return path;
}

function writePhrases(truths: SceneTruth[], extra: string[] = []): string {
  const lines = truths.flatMap((truth, i) => truth.objects.map((o) => JSON.stringify({ image: `scene-${i}.png`, text: `a ${kindName(o)}`, boxes: [[o.box.x, o.box.y, o.box.x + o.box.size, o.box.y + o.box.size]] })));
  const path = join(run.work, 'phrases.jsonl');
  writeFileSync(path, [...lines, ...extra].join('\n'));
  return path;
}

const options = (manifest: string, more: Partial<ManifestEvaluateOptions> = {}): ManifestEvaluateOptions => ({ manifest, template: 'a {label}', limit: 100, methods: METHODS, riseMasks: 6, seed: SEED, ...more });

function assertSummariesEqual(actual: MethodSummary[], expected: MethodSummary[], keys: (keyof MethodSummary)[]): void {
  assert.deepEqual(actual.map((m) => m.name), expected.map((m) => m.name));
  for (const [i, m] of actual.entries()) {
    for (const key of keys) {
      const [a, e] = [m[key], expected[i][key]];
      if (typeof a === 'number' && typeof e === 'number') assert.ok(Math.abs(a - e) < 1e-9, `${m.name} ${key}: ${a} vs ${e}`);
      else assert.equal(a, e, `${m.name} ${key}`);
    }
  }
}

test("a COCO file of shapes-world scenes gives the scenes' own evaluation, method by method", async () => {
  const truths = await writeScenes();
  const scenes = await evaluateMaps(run.service, { scenes: SCENES, seed: SEED, methods: METHODS, riseMasks: 6 });
  const coco = await evaluateManifest(run.service, options(writeCoco(truths)));
  assert.equal(coco.manifest.format, 'coco');
  assert.equal(coco.cases.length, scenes.objects);
  assert.equal(coco.manifest.images, SCENES);
  assert.equal(coco.score, scenes.score);
  assert.equal(coco.template, 'a {label}');
  assert.deepEqual([coco.cancelled, coco.stoppedBy, coco.manifest.limited], [false, null, false]);
  assertSummariesEqual(coco.methods, scenes.methods, ['maps', 'pointingGame', 'pointingGameTorchRay', 'energyInBox', 'deletionAuc', 'insertionAuc', 'forwardPasses']);
  // Every case holds each method's measures, and the means are theirs.
  for (const summary of coco.methods) {
    const energies = coco.cases.map((c) => c.measures[summary.name]!.energyInBox);
    assert.ok(Math.abs(energies.reduce((a, b) => a + b, 0) / energies.length - summary.energyInBox!) < 1e-12);
  }
  assert.deepEqual(coco.worst.map((w) => [w.method, w.cases.length]), METHODS.map((m) => [m, 5]));
});

test('the same scenes as phrases with boxes: the same maps on the same boxes, each phrase scored alone', async () => {
  const truths = await writeScenes();
  const coco = await evaluateManifest(run.service, options(writeCoco(truths), { methods: ['rollout', 'alignment'] }));
  const phrases = await evaluateManifest(run.service, options(writePhrases(truths), { methods: ['rollout', 'alignment'] }));
  assert.equal(phrases.manifest.format, 'jsonl');
  assert.equal(phrases.template, null);
  assert.equal(phrases.score, 'similarity');
  // Consecutive lines of one scene are one image.
  assert.equal(phrases.manifest.images, SCENES);
  const key = (c: CaseResult) => `${c.image} ${c.text}`;
  assert.deepEqual(phrases.cases.map(key).sort(), coco.cases.map(key).sort());
  for (const c of phrases.cases) {
    const same = coco.cases.find((k) => k.image === c.image && k.text === c.text)!;
    assert.deepEqual(c.boxes, same.boxes);
    for (const method of ['rollout', 'alignment'] as const) {
      assert.equal(c.measures[method]!.pointingGame, same.measures[method]!.pointingGame);
      assert.ok(Math.abs(c.measures[method]!.energyInBox - same.measures[method]!.energyInBox) < 1e-12);
    }
  }
});

test('cancelling after the first case keeps it: the result says cancelled and holds that one case', async () => {
  const truths = await writeScenes();
  const controller = new AbortController();
  const result = await evaluateManifest(run.service, options(writeCoco(truths), {
    methods: ['rollout', 'occlusion'],
    signal: controller.signal,
    onProgress: (p) => {
      if (p.stage === 'cases' && p.done === 1) controller.abort();
    },
  }));
  assert.equal(result.cancelled, true);
  assert.equal(result.cases.length, 1);
  assert.deepEqual(result.methods.map((m) => m.maps), [1, 1]);
});

test('an image the model cannot take is counted with why; a faulty row later ends the run with the cases before it', async () => {
  const truths = await writeScenes();
  writeFileSync(join(run.work, 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\n not really'));
  const path = writePhrases(truths, ['{"image": "broken.png", "text": "a red circle", "boxes": [[0, 0, 4, 4]]}', '{"image": "scene-0.png", "text": "x", "boxes": [[4, 4, 0, 0]]}']);
  const result = await evaluateManifest(run.service, options(path, { methods: ['rollout'] }));
  const objects = truths.reduce((n, t) => n + t.objects.length, 0);
  assert.equal(result.cases.length, objects);
  assert.equal(result.manifest.failedImages.count, 1);
  assert.match(result.manifest.failedImages.examples[0], new RegExp(`^line ${objects + 1}: .*broken\\.png`));
  assert.match(result.stoppedBy ?? '', new RegExp(`line ${objects + 2} boxes\\[0\\] is \\[4, 4, 0, 0\\]`));
});

test('--limit stops at that many cases, mid-image if need be', async () => {
  const truths = await writeScenes();
  const result = await evaluateManifest(run.service, options(writeCoco(truths), { methods: ['rollout'], limit: 3 }));
  assert.equal(result.cases.length, 3);
  assert.equal(result.manifest.limited, true);
  assert.equal(result.manifest.images, 2);
});

test('the worst cases: misses first, then the least energy, the earlier case on a tie; methods without a measure skip the case', () => {
  const at = (pointingGame: number, energyInBox: number): CaseResult => ({ image: 'i', text: 't', where: 'w', boxes: [], measures: { rollout: { pointingGame, energyInBox, deletionAuc: 0, insertionAuc: 0, deletionAucPetsiuk: 0, insertionAucPetsiuk: 0 } } });
  const cases = [at(1, 0.1), at(0, 0.5), at(1, 0.05), at(0, 0.2), at(0, 0.2), { ...at(0, 0), measures: {} }];
  assert.deepEqual(worstCases(cases, 'rollout', 4), [3, 4, 1, 2]);
  assert.deepEqual(worstCases(cases, 'alignment', 4), []);
});

test('a generative model is refused with what to do instead', async () => {
  const truths = await writeScenes();
  await assert.rejects(evaluateManifest(run.service, { ...options(writeCoco(truths)), modelDir: 'models/shapes-vlm' }), /generative model.*shapes-world scenes/s);
});

// `mmlens evaluate` as a user runs it (the built dist/cli.js) on the tiny synthetic CLIP: the documented JSON
// and table, the costs it reports, and exit status 2 on bad flags.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { mmlens } from '../../support/mmlens';

let clip: TinyClip;

before(() => {
  clip = writeTinyClip();
});
after(() => clip.remove());

test('evaluate --json - gives {schemaVersion, seed, scenes, methods [...]} with one entry per method', () => {
  const run = mmlens('evaluate', '--model', clip.dir, '--scenes', '2', '--seed', '11', '--rise-masks', '6', '--ep', 'cpu', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.schemaVersion, 4);
  assert.equal(json.petsiukCurves, false);
  assert.equal(json.risePaper, false);
  assert.equal(json.torchRayTolerance, 15);
  assert.equal(json.seed, 11);
  assert.equal(json.scenes, 2);
  // Scenes alternate two and three objects.
  assert.equal(json.objects, 5);
  assert.equal(json.score, 'probability');
  assert.deepEqual(json.methods.map((m: { name: string }) => m.name), ['rollout', 'flow', 'alignment', 'maskclip', 'values', 'clearclip', 'occlusion', 'rise']);
  const side = clip.options.imageSize / clip.options.patchSize;
  const passes = Object.fromEntries(json.methods.map((m: { name: string; forwardPasses: number }) => [m.name, m.forwardPasses]));
  assert.deepEqual(passes, { rollout: 1, flow: 1, alignment: 1, maskclip: 1, values: 1, clearclip: 1, occlusion: 1 + side * side, rise: 6 });
  for (const method of json.methods) {
    assert.deepEqual(Object.keys(method).sort(), ['deletionAuc', 'deletionAucPetsiuk', 'energyInBox', 'forwardPasses', 'insertionAuc', 'insertionAucPetsiuk', 'maps', 'name', 'pointingGame', 'pointingGameTorchRay']);
    assert.deepEqual([method.deletionAucPetsiuk, method.insertionAucPetsiuk], [null, null]);
    assert.ok(method.pointingGameTorchRay >= 0 && method.pointingGameTorchRay <= 1);
    assert.equal(method.maps, 5);
    assert.ok([0, 0.2, 0.4, 0.6, 0.8, 1].some((v) => Math.abs(method.pointingGame - v) < 1e-9), `pointing ${method.pointingGame} is not k/5`);
    assert.ok(method.energyInBox >= 0 && method.energyInBox <= 1);
    assert.ok(method.deletionAuc >= 0 && Number.isFinite(method.insertionAuc));
  }
});

test('evaluate prints a table with the seed and a row per chosen method', () => {
  const run = mmlens('evaluate', '--model', clip.dir, '--scenes', '1', '--seed', '3', '--methods', 'occlusion,rollout', '--rise-masks', '4', '--ep', 'cpu');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /seed 3, 1 scenes, 2 objects/);
  assert.match(run.stdout, /^rollout +\d+\.\d% +\d+\.\d%/m);
  assert.match(run.stdout, /^occlusion +\d+\.\d% +\d+\.\d%.* 17$/m);
  assert.match(run.stdout, /a hit within 15 px of a box, mean of per-class rates/);
  assert.doesNotMatch(run.stdout, /^rise/m);
});

test('--petsiuk-curves adds the curves as Petsiuk et al. measured them: raw probabilities, so areas within 0-1, and two columns', () => {
  const run = mmlens('evaluate', '--model', clip.dir, '--scenes', '1', '--seed', '11', '--methods', 'rollout,occlusion', '--petsiuk-curves', '--ep', 'cpu', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.petsiukCurves, true);
  for (const method of json.methods) {
    for (const auc of [method.deletionAucPetsiuk, method.insertionAucPetsiuk]) assert.ok(auc > 0 && auc < 1, `${method.name}: ${auc}`);
    // The product's curves are divided by the unperturbed score; the paper's are not, so they differ.
    assert.notEqual(method.deletionAucPetsiuk, method.deletionAuc);
  }
  const table = mmlens('evaluate', '--model', clip.dir, '--scenes', '1', '--seed', '11', '--methods', 'rollout', '--petsiuk-curves', '--ep', 'cpu');
  assert.match(table.stdout, /del \(P\) +ins \(P\)/);
  assert.match(table.stdout, /^rollout( +\S+){6} +0\.\d{3} +0\.\d{3}$/m);
  const generative = mmlens('evaluate', '--model', 'models/shapes-vlm', '--scenes', '1', '--petsiuk-curves', '--ep', 'cpu');
  assert.equal(generative.status, 2);
  assert.match(generative.stderr, /--petsiuk-curves/);
});

test('--rise-paper runs RISE as its authors do: a different map from the same masks, said in the JSON and the table', () => {
  const args = ['evaluate', '--model', clip.dir, '--scenes', '1', '--seed', '4', '--methods', 'rise', '--rise-masks', '40', '--ep', 'cpu'];
  const product = JSON.parse(mmlens(...args, '--json', '-').stdout);
  const paper = JSON.parse(mmlens(...args, '--rise-paper', '--json', '-').stdout);
  assert.deepEqual([product.risePaper, paper.risePaper], [false, true]);
  assert.notEqual(paper.methods[0].energyInBox, product.methods[0].energyInBox);
  assert.match(mmlens(...args, '--rise-paper').stdout, /RISE: 40 masks, the authors' mean-colour fill and reflected mask edges/);
  const generative = mmlens('evaluate', '--model', 'models/shapes-vlm', '--scenes', '1', '--rise-paper', '--ep', 'cpu');
  assert.equal(generative.status, 2);
  assert.match(generative.stderr, /--rise-paper/);
});

test('methods a model cannot give are listed as unavailable, with null measures and the reason', () => {
  const fused = writeTinyClip({ fusedAttention: true });
  try {
    const run = mmlens('evaluate', '--model', fused.dir, '--scenes', '1', '--seed', '5', '--methods', 'values,flow,clearclip,rollout,maskclip', '--ep', 'cpu', '--json', '-');
    assert.equal(run.status, 0, run.stderr);
    const { methods } = JSON.parse(run.stdout);
    assert.deepEqual(methods.map((m: { name: string }) => m.name), ['rollout', 'flow', 'maskclip', 'values', 'clearclip']);
    for (const method of methods) {
      assert.equal(method.maps, 0);
      assert.equal(method.pointingGame, null);
      assert.equal(method.pointingGameTorchRay, null);
      assert.equal(method.forwardPasses, null);
      assert.match(method.unavailable, /attention/);
    }
  } finally {
    fused.remove();
  }
});

test('bad evaluate flags exit 2 and say which flag', () => {
  const cases: [string[], RegExp][] = [
    [['--scenes', '0'], /--scenes/],
    [['--scenes', 'many'], /--scenes/],
    [['--seed', '-1'], /--seed/],
    [['--methods', 'rollout,gradcam'], /gradcam/],
    [['--rise-masks', '1.5'], /--rise-masks/],
    [['--bogus'], /bogus/],
  ];
  for (const [flags, message] of cases) {
    const run = mmlens('evaluate', '--model', clip.dir, ...flags);
    assert.equal(run.status, 2, `${flags.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /at .*\.js:\d+/);
  }
});

test('evaluate on a generative model scores its words, and takes only the word map methods', () => {
  const run = mmlens('evaluate', '--model', 'models/shapes-vlm', '--scenes', '2', '--seed', '3', '--methods', 'attention,occlusion', '--ep', 'cpu', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.deepEqual([json.kind, json.scenes, json.model.name], ['words', 2, 'shapes-vlm']);
  assert.deepEqual(json.methods.map((m: { name: string }) => m.name), ['attention', 'occlusion']);
  for (const method of json.methods) assert.equal(method.words, json.words.scored);
  const table = mmlens('evaluate', '--model', 'models/shapes-vlm', '--scenes', '1', '--seed', '3', '--methods', 'last-layer', '--ep', 'cpu');
  assert.match(table.stdout, /^last-layer +(\d+\.\d%|-) /m);
  const wrong = mmlens('evaluate', '--model', 'models/shapes-vlm', '--scenes', '1', '--methods', 'maskclip', '--ep', 'cpu');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /"maskclip" is not a map method for a generative model.*attention, attention-max, first-layer, last-layer, occlusion, rise/s);
});

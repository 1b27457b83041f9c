// The built `mmlens` (dist/cli.js) for the interpretability features: `zeroshot`, the attention flags of
// `analyze`, and the anatomy in `inspect`: exit status, the JSON fields, and the printed table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';
import { mmlens, SAMPLE_SCENE } from '../../support/mmlens';

const scene = SAMPLE_SCENE;
let clip: TinyClip;
let fusion: TinyFusion;

/** mmlens on the cpu provider, so no GPU probe runs. */
function mmlensCpu(...args: string[]) {
  return mmlens(...args, '--ep', 'cpu');
}

before(() => {
  clip = writeTinyClip();
  fusion = writeTinyFusion();
});
after(() => {
  clip.remove();
  fusion.remove();
});

test('zeroshot --json - writes labels, templates and per-image probabilities with the top-k', () => {
  const run = mmlensCpu('zeroshot', '--model', clip.dir, '--image', scene, '--label', 'cat', '--label', 'dog', '--label', 'red circle', '--template', 'a {label}', '--top-k', '2', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.deepEqual([json.schemaVersion, json.scoring, json.labels, json.templates], [1, 'softmax', ['cat', 'dog', 'red circle'], ['a {label}']]);
  const [image] = json.images;
  assert.equal(image.path, scene);
  assert.ok(Math.abs(image.probabilities.reduce((s: number, p: number) => s + p, 0) - 1) < 1e-5);
  const best = [...image.probabilities.keys()].sort((a, b) => image.probabilities[b] - image.probabilities[a]).slice(0, 2);
  assert.deepEqual(image.top, best.map((l) => ({ label: json.labels[l], probability: image.probabilities[l] })));
});

test('zeroshot without --json prints a table of each image\'s top labels', () => {
  const run = mmlensCpu('zeroshot', '--model', fusion.dir, '--image', scene, '--label', 'red circle', '--label', 'blue square', '--top-k', '1');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines[0], /\(singleStream\) on cpu: image-text matching probability per label$/);
  assert.equal(lines[1], 'templates: "a photo of a {label}."');
  assert.equal(lines[2], scene);
  assert.match(lines[3], /^\s+0\.\d{4}\s+(red circle|blue square)$/);
  assert.match(lines[4], /^note: Single-stream model/);
});

test('zeroshot bad input exits 2 with a message that names the problem', () => {
  const cases: [string[], RegExp][] = [
    [['--image', scene], /--label/],
    [['--label', 'cat'], /--image/],
    [['--image', scene, '--label', 'cat', '--top-k', '0'], /--top-k must be a whole number of at least 1, got "0"/],
    [['--image', scene, '--label', 'cat', '--top-k', 'three'], /--top-k/],
    [['--image', scene, '--label', 'cat', '--template', 'a photo'], /no \{label\} placeholder/],
  ];
  for (const [args, message] of cases) {
    const run = mmlensCpu('zeroshot', '--model', clip.dir, ...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});

test('analyze --head-stats --text-attention and the rollout flags add the documented fields', () => {
  const run = mmlensCpu('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--head-stats', '--text-attention',
    '--rollout-fusion', 'max', '--rollout-start', '1', '--no-residual', '--rollout-discard', '0.5', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.deepEqual(json.rollout, { fusion: 'max', startLayer: 1, residual: false, discardRatio: 0.5 });
  assert.deepEqual([json.headStats.vision.length, json.headStats.vision[0].length, json.headStats.vision[0][0].length], [1, clip.options.layers, clip.options.heads]);
  assert.deepEqual(Object.keys(json.headStats.vision[0][0][0]).sort(), ['clsShare', 'diagonalShare', 'entropy', 'meanDistance', 'normalizedEntropy']);
  assert.deepEqual([json.textAttention[0].tokens, json.textAttention[0].self.masked[0]], [5, [false, true, true, true, true]]);
  const plain = JSON.parse(mmlensCpu('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--json', '-').stdout);
  assert.deepEqual([plain.headStats, plain.textAttention, plain.rollout], [undefined, undefined, { fusion: 'mean', startLayer: 0, residual: true, discardRatio: 0 }]);
});

test('analyze --flow adds maps.flow and its cost; the summary prints the cost', () => {
  const run = mmlensCpu('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--flow', '--rollout-start', '1', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.deepEqual([json.maps.flow.length, json.maps.flow[0].length, json.maps.flow[0][0].length], [1, json.grid.rows, json.grid.cols]);
  assert.equal(json.flow.from, 'cls');
  assert.deepEqual(Object.keys(json.flow.perImage[0]).sort(), ['edges', 'maxFlows', 'milliseconds', 'nodes']);
  assert.equal(typeof json.timings.flow, 'number');
  assert.equal(json.rollout.startLayer, 1);
  const table = mmlensCpu('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--flow');
  assert.match(table.stdout, /attention flow: \d+ max-flows on \d+ nodes and \d+ edges, \d+\.\d\d s/);
});

test('analyze --lens adds every vision layer\'s lens to the JSON and its leading text per layer to the summary', () => {
  const run = mmlensCpu('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--text', 'a cat', '--lens', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.lens.layers.length, clip.options.layers);
  for (const layer of json.lens.layers) {
    assert.deepEqual([layer.similarity.length, layer.similarity[0].length, layer.alignment[0].length, layer.alignment[0][0].length], [1, 2, 2, json.grid.rows]);
    assert.ok(Math.abs(layer.probabilities[0][0] + layer.probabilities[0][1] - 1) < 1e-5);
  }
  const table = mmlensCpu('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--text', 'a cat', '--lens');
  const lines = table.stdout.split('\n').filter((line) => line.startsWith('lens layer'));
  assert.deepEqual(lines.map((line) => line.split(':')[0]), Array.from({ length: clip.options.layers }, (_, l) => `lens layer ${l}`));
  assert.match(lines[0], /^lens layer 0: "(a red circle|a cat)" p=\d\.\d{4} \(cosine -?\d\.\d{4}\)$/);
});

test('analyze rejects an unknown head fusion and a start layer past the last layer (exit 2)', () => {
  const base = ['analyze', '--model', clip.dir, '--image', scene, '--text', 'x'];
  const fusionRun = mmlensCpu(...base, '--rollout-fusion', 'median');
  assert.equal(fusionRun.status, 2);
  assert.match(fusionRun.stderr, /--rollout-fusion must be one of mean, max, min, got "median"/);
  for (const ratio of ['1', '-0.1', 'half', '']) {
    const discardRun = mmlensCpu(...base, `--rollout-discard=${ratio}`);
    assert.equal(discardRun.status, 2, discardRun.stderr);
    assert.match(discardRun.stderr, /--rollout-discard must be a fraction from 0 up to \(not including\) 1/);
  }
  const startRun = mmlensCpu(...base, '--rollout-start', '2');
  assert.equal(startRun.status, 2);
  assert.match(startRun.stderr, /start layer 2 is out of range\. Use a layer from 0 to 1/);
  assert.equal(mmlensCpu(...base, '--rollout-start', '-1').status, 2);
});

test('inspect reports the anatomy: two-tower for the CLIP towers, early concatenation for the joint model', () => {
  const two = JSON.parse(mmlensCpu('inspect', '--model', clip.dir, '--json', '-').stdout).anatomy;
  assert.equal(two.family, 'twoTower');
  assert.deepEqual(two.tokens, { vision: clip.visionTokens, text: clip.options.maxLength });
  assert.deepEqual(two.layers.map((l: { tower: string; kind: string }) => `${l.tower}:${l.kind}`), ['vision:vision', 'vision:vision', 'text:text', 'text:text']);
  assert.deepEqual([two.observable, two.fusedOperators], [true, []]);
  const one = JSON.parse(mmlensCpu('inspect', '--model', fusion.dir, '--json', '-').stdout).anatomy;
  assert.equal(one.family, 'singleStream');
  assert.deepEqual(one.tokens, { vision: fusion.imageTokens, text: fusion.options.textLength, joint: fusion.tokens });
  assert.ok(one.layers.every((l: { kind: string }) => l.kind === 'joint'));
});

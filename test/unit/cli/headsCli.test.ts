// The built `mmlens heads` on the bundled demo CLIP: the JSON grid and the printed table, and a clear refusal for
// each bad input (missing image or text, an unknown stream, a stream the model does not have), and the demo
// single-stream model's joint layers scored by their matching probability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mmlens, SAMPLE_SCENE } from '../../support/mmlens';

function heads(...args: string[]) {
  return mmlens('heads', ...args, '--ep', 'cpu');
}

test('heads --json - gives a layer x head grid of score drops for the vision tower of the demo CLIP', () => {
  const run = heads('--image', SAMPLE_SCENE, '--text', 'a red circle', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.stream, 'vision');
  assert.deepEqual([result.layers, result.heads], [4, 4]);
  assert.equal(result.allOnesGap, 0);
  assert.equal(result.importance.length, 4);
  result.importance.forEach((row: number[], l: number) => row.forEach((v, h) => assert.ok(Math.abs(v - (result.score - result.ablated[l][h])) < 1e-12)));
  assert.equal(result.layerImportance.length, 4);
  assert.equal(result.cost.forwardPasses, 21);
});

test('heads --stream text prints the grid with a whole-layer column and the cost', () => {
  const run = heads('--image', SAMPLE_SCENE, '--text', 'a red circle', '--stream', 'text');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /text layers, 2 x 4 heads/);
  assert.match(run.stdout, /layer\s+head 0\s+head 1\s+head 2\s+head 3\s+whole layer/);
  assert.match(run.stdout, /11 forward passes in \d+ ms/);
});

test('heads refuses a missing image or text, an unknown stream and a stream the model lacks, saying why', () => {
  const cases: [string[], RegExp][] = [
    [['--text', 'a red circle'], /needs --image/],
    [['--image', SAMPLE_SCENE], /needs --text/],
    [['--image', SAMPLE_SCENE, '--text', 'a', '--stream', 'audio'], /Unknown --stream "audio"\. Use one of vision, text, joint, cross/],
    [['--image', SAMPLE_SCENE, '--text', 'a', '--stream', 'joint'], /A two-tower model has no joint layers/],
    [['--model', 'models/shapes-fusion', '--image', SAMPLE_SCENE, '--text', 'a', '--stream', 'vision'], /A single-stream model has no separate vision layers/],
    [['--model', 'test/fixtures/hf-blip', '--image', SAMPLE_SCENE, '--text', 'a', '--stream', 'joint'], /A cross-attention matcher has no joint layers\. Ablate one of its streams: vision, text, cross/],
  ];
  for (const [args, message] of cases) {
    const run = heads(...args);
    assert.notEqual(run.status, 0, args.join(' '));
    assert.match(run.stderr, message, args.join(' '));
  }
});

test('heads on the demo single-stream model ablates its joint layers, scoring the matching probability', () => {
  const run = heads('--model', 'models/shapes-fusion', '--image', SAMPLE_SCENE, '--text', 'a red circle', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.deepEqual([result.stream, result.scoreKind, result.allOnesGap], ['joint', 'itm', 0]);
  assert.ok(result.score > 0 && result.score < 1);
  assert.equal(result.cost.forwardPasses, 1 + result.layers * (result.heads + 1));
});

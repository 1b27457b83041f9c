// The built `mmlens heads` on the bundled demo CLIP: the JSON grid and the printed table, and a clear refusal for
// each bad input (missing image or text, an unknown tower, a family that does not offer head ablation).
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

test('heads --tower text prints the grid with a whole-layer column and the cost', () => {
  const run = heads('--image', SAMPLE_SCENE, '--text', 'a red circle', '--tower', 'text');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /text tower, 2 layers x 4 heads/);
  assert.match(run.stdout, /layer\s+head 0\s+head 1\s+head 2\s+head 3\s+whole layer/);
  assert.match(run.stdout, /11 forward passes in \d+ ms/);
});

test('heads refuses a missing image or text, an unknown tower and a single-stream model, saying why', () => {
  const cases: [string[], RegExp][] = [
    [['--text', 'a red circle'], /needs --image/],
    [['--image', SAMPLE_SCENE], /needs --text/],
    [['--image', SAMPLE_SCENE, '--text', 'a', '--tower', 'audio'], /Unknown --tower "audio"\. Use one of vision, text/],
    [['--model', 'models/shapes-fusion', '--image', SAMPLE_SCENE, '--text', 'a red circle'], /Head ablation is not available for single stream models/],
  ];
  for (const [args, message] of cases) {
    const run = heads(...args);
    assert.notEqual(run.status, 0, args.join(' '));
    assert.match(run.stderr, message, args.join(' '));
  }
});

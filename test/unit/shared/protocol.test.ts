/** The request helper of the protocol, the explorer's templates and pairs, and the uri-list and image-name rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTemplate, pairMaps, pairsManifest, scoreMatrix } from '../../../src/shared/explorerData';
import type { AnalysisResult } from '../../../src/shared/analysisResult';
import { hasImageExtension, parseUriList } from '../../../src/shared/imagePaths';
import { Msg, Requests, respond, type FromWebview } from '../../../src/shared/protocol';

test('requests get increasing ids and settle by id, in any order', async () => {
  const sent: FromWebview[] = [];
  const requests = new Requests((m) => sent.push(m));
  const first = requests.send({ type: Msg.Ready });
  const second = requests.send({ type: Msg.SelectCell, image: 1, text: 2 });
  assert.deepEqual(sent, [{ type: 'ready', requestId: 1 }, { type: 'selectCell', image: 1, text: 2, requestId: 2 }]);
  assert.equal(requests.settle(respond(2, { error: new Error('gone') })), true);
  assert.equal(requests.settle(respond(1, { body: { images: [] } })), true);
  await assert.rejects(second, /^Error: gone$/);
  assert.deepEqual(await first, { images: [] });
  assert.equal(requests.settle(respond(1, { body: null })), false, 'a response is used once');
  assert.equal(requests.settle(respond(99, { body: null })), false, 'an unknown id is ignored');
});

test('respond carries the body or the error text', () => {
  assert.deepEqual(respond(7, { body: 3 }), { type: 'response', requestId: 7, ok: true, body: 3 });
  assert.deepEqual(respond(7, { error: 'plain' }), { type: 'response', requestId: 7, ok: false, error: 'plain' });
});

test('templates replace every {label}; without one the label is used as written', () => {
  assert.equal(applyTemplate('cat', 'a photo of a {label}.'), 'a photo of a cat.');
  assert.equal(applyTemplate('cat', '{label} or {label}'), 'cat or cat');
  assert.equal(applyTemplate('a red circle', ''), 'a red circle');
  assert.equal(applyTemplate('$& x', 'a {label}'), 'a $& x', 'replacement patterns are not interpreted');
});

test('the pairs manifest pairs image i with text i, one JSON object per line', () => {
  const text = pairsManifest(['/a.png', '/b "q".png', '/c.png'], ['one', 'two\nlines']);
  const rows = text.trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(rows, [{ image: '/a.png', caption: 'one' }, { image: '/b "q".png', caption: 'two\nlines' }]);
});

test('uri lists drop comments and blank lines, CRLF or LF', () => {
  assert.deepEqual(parseUriList('# dragged\r\nfile:///a.png\r\n\r\n  file:///b%20c.jpg  \n'), ['file:///a.png', 'file:///b%20c.jpg']);
  assert.deepEqual(parseUriList(''), []);
});

test('image files are told by their extension, case-insensitively', () => {
  for (const name of ['a.png', 'b.JPG', '/x/y.jpeg', 'c.webp', 'd.GiF', 'e.tiff', 'f.avif']) assert.equal(hasImageExtension(name), true, name);
  for (const name of ['a.txt', 'png', 'a.png.exe', '/dir.png/file', 'a.']) assert.equal(hasImageExtension(name), false, name);
});

test('an analysis becomes a row-major score matrix and per-pair maps as Float32Array', () => {
  const result = {
    model: { name: 'm', architecture: 'twoTower', executionProvider: 'cpu', notices: [] },
    // Image a's model input covers all of it (a resize without a crop); b's result predates regions.
    images: [{ path: 'a', width: 4, height: 2, region: [0, 0, 4, 2] }, { path: 'b', width: 4, height: 2 }],
    texts: [{ text: 'x', tokens: [], truncated: false }],
    grid: { rows: 1, cols: 2 },
    similarity: [[0.5], [-0.25]],
    maps: { rollout: [[[1, 2]], [[3, 4]]], alignment: [[[5, 6]], []] },
  } as unknown as AnalysisResult;
  assert.deepEqual(scoreMatrix(result), { rows: 2, cols: 1, values: new Float32Array([0.5, -0.25]), kind: 'cosine' });
  assert.deepEqual(pairMaps(result, 0, 0), { image: 0, text: 0, grid: { rows: 1, cols: 2 }, rollout: new Float32Array([1, 2]), alignment: new Float32Array([5, 6]), window: [0, 0, 1, 1] });
  assert.deepEqual(pairMaps(result, 1, 0)?.alignment, null, 'no alignment map for image 1');
  // Without a region, the centre 2 x 2 square of the 4 x 2 image: from a quarter to three quarters across.
  assert.deepEqual(pairMaps(result, 1, 0)?.window, [0.25, 0, 0.75, 1]);
  assert.equal(pairMaps(result, 2, 0), null);
  assert.equal(pairMaps(result, 0, 1), null);
});

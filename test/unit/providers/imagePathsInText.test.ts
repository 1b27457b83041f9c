// Image paths found on the lines of a selection, for Analyze Image with Selected Text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imagePathCandidates, pathSpellings } from '../../../src/shared/imagePathsInText';

test('a Markdown image link gives its target, not its alt text or title', () => {
  assert.deepEqual(imagePathCandidates('![a red circle](img/scene-1.png "Scene one")'), ['img/scene-1.png']);
});

test('an angle-bracket Markdown target keeps its spaces and yields no stray tail', () => {
  assert.deepEqual(imagePathCandidates('![x](<my pics/a b.PNG>)'), ['my pics/a b.PNG']);
});

test('quoted paths in a JSON Lines row, with spaces, in order of appearance', () => {
  const line = '{"image": "photos/dog on grass.jpg", "mask": "masks/dog.webp", "caption": "a dog"}';
  assert.deepEqual(imagePathCandidates(line), ['photos/dog on grass.jpg', 'masks/dog.webp']);
});

test('bare paths in a CSV row and code, each once', () => {
  assert.deepEqual(imagePathCandidates('scene-2.png,a blue square,scene-2.png'), ['scene-2.png']);
  assert.deepEqual(imagePathCandidates('open(/data/x.tiff) then y.avif;'), ['/data/x.tiff', 'y.avif']);
});

test('remote URLs are left out; file: URIs are kept as written', () => {
  assert.deepEqual(imagePathCandidates('![a](https://example.com/a.png) ![b](file:///tmp/b.gif)'), ['file:///tmp/b.gif']);
});

test('names that only contain an image extension are not paths', () => {
  assert.deepEqual(imagePathCandidates('see notes.png.txt and archive.jpeg2 and plain text'), []);
});

test('paths on several lines are all found, top to bottom', () => {
  assert.deepEqual(imagePathCandidates('a.png\n"b c.jpg"\n![d](d.gif)'), ['a.png', 'b c.jpg', 'd.gif']);
});

test('percent-encoded paths are also tried decoded; malformed escapes are kept as written', () => {
  assert.deepEqual(pathSpellings('my%20pic.png'), ['my%20pic.png', 'my pic.png']);
  assert.deepEqual(pathSpellings('plain.png'), ['plain.png']);
  assert.deepEqual(pathSpellings('100%.png'), ['100%.png']);
});

// Manifest rows (JSON, JSON Lines, CSV) on hand-written documents: the row under the cursor, its image path
// and caption by the usual field names, quotes, CRLF and a byte order mark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCsvReference } from '../../../src/hover/csvReference';
import { findJsonlReference, findJsonReference } from '../../../src/hover/jsonReference';
import { manifestRowFields } from '../../../src/hover/manifestRow';

test('field names: the usual ones, any case; 0/1 labels are not captions; a caption list gives its first', () => {
  assert.deepEqual(manifestRowFields([['image', 'a.png'], ['caption', 'a red circle']]), { path: 'a.png', caption: 'a red circle' });
  assert.deepEqual(manifestRowFields([['File_Name', ' a.jpg '], ['Sentence', 'x']]), { path: 'a.jpg', caption: 'x' });
  assert.deepEqual(manifestRowFields([['filepath', 'a.jpg'], ['text', 't'], ['label', 'l']]), { path: 'a.jpg', caption: 't' });
  assert.deepEqual(manifestRowFields([['image_path', 'a.png'], ['caption', 'c'], ['label', '1']]), { path: 'a.png', caption: 'c' });
  assert.deepEqual(manifestRowFields([['image', 'a.png'], ['label', 1]]), { path: 'a.png', caption: undefined });
  assert.deepEqual(manifestRowFields([['path', 'a.png'], ['label', 'dog']]), { path: 'a.png', caption: 'dog' });
  assert.deepEqual(manifestRowFields([['image', 'a.png'], ['captions', 'x'], ['caption', ['', 'first', 'second']]]), { path: 'a.png', caption: 'first' });
  assert.equal(manifestRowFields([['image', 'a.txt'], ['caption', 'c']]), undefined);
  assert.equal(manifestRowFields([['id', 3], ['caption', 'c']]), undefined);
});

test('JSON Lines: the row on the cursor line, spanning that line; a broken line gives nothing', () => {
  const rows = ['{"image": "a.png", "caption": "a red {circle}"}', '{"image": "b.png", "caption": "two', '{"file_name": "c.png", "text": "c \\"q\\""}'];
  const text = rows.join('\r\n') + '\r\n';
  const third = text.indexOf('{"file_name');
  assert.deepEqual(findJsonlReference(text, 5), { path: 'a.png', caption: 'a red {circle}', start: 0, end: rows[0].length });
  assert.equal(findJsonlReference(text, text.indexOf('b.png')), undefined);
  assert.deepEqual(findJsonlReference(text, third + 3), { path: 'c.png', caption: 'c "q"', start: third, end: third + rows[2].length });
});

test('JSON: the innermost object with an image field around the cursor, braces in strings ignored', () => {
  const text = [
    '{"info": {"name": "set {1}"},',
    ' "rows": [',
    '  {"image": "x/a.png",',
    '   "caption": "a } brace", "meta": {"w": 64}},',
    '  {"image": "x/b.png", "caption": "second"}',
    ' ]}',
  ].join('\n');
  const first = text.indexOf('{"image": "x/a');
  const firstEnd = text.indexOf('}},') + 2;
  assert.deepEqual(findJsonReference(text, text.indexOf('a } brace')), { path: 'x/a.png', caption: 'a } brace', start: first, end: firstEnd });
  // Inside the nested "meta" object, which has no image field, the enclosing row is taken.
  assert.equal(findJsonReference(text, text.indexOf('"w"'))?.path, 'x/a.png');
  assert.equal(findJsonReference(text, text.indexOf('second'))?.caption, 'second');
  assert.equal(findJsonReference(text, text.indexOf('set {1}')), undefined);
});

test('CSV: header names the columns; quotes with commas, doubled quotes and line breaks; CRLF; BOM', () => {
  const text = '\ufeffid,Image,caption\r\n1,a.png,plain caption\r\n2,"b, c.png","say ""hi"", twice\r\nsecond line"\r\n3,d.png,\r\n';
  const second = text.indexOf('2,');
  const secondEnd = text.indexOf('second line"') + 'second line"'.length;
  assert.deepEqual(findCsvReference(text, text.indexOf('plain')), { path: 'a.png', caption: 'plain caption', start: text.indexOf('1,'), end: text.indexOf('plain caption') + 13 });
  const expected = { path: 'b, c.png', caption: 'say "hi", twice\r\nsecond line', start: second, end: secondEnd };
  assert.deepEqual(findCsvReference(text, text.indexOf('second line')), expected);
  assert.deepEqual(findCsvReference(text, second), expected);
  assert.deepEqual(findCsvReference(text, text.indexOf('d.png')), { path: 'd.png', caption: undefined, start: text.indexOf('3,'), end: text.indexOf('3,') + 8 });
  assert.equal(findCsvReference(text, 3), undefined);
});

// Markdown image references on hand-written lines: the reference is found anywhere inside the link or tag
// and nowhere else, with the alt text as caption and the destination unescaped as CommonMark says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findMarkdownReference } from '../../../src/hover/markdownReference';

/** The reference at the first `|` of `marked` (the bar is removed before searching). */
function at(marked: string) {
  const offset = marked.indexOf('|');
  return findMarkdownReference(marked.replace('|', ''), offset);
}

test('an image link gives its path, its alt text as caption, and the span of the whole link', () => {
  const text = 'See ![a red circle](images/scene-1.png) here.';
  const start = text.indexOf('!');
  const end = text.indexOf(')') + 1;
  for (const offset of [start, start + 5, end - 2, end]) {
    assert.deepEqual(findMarkdownReference(text, offset), { path: 'images/scene-1.png', caption: 'a red circle', start, end }, `offset ${offset}`);
  }
  assert.equal(findMarkdownReference(text, 2), undefined);
  assert.equal(findMarkdownReference(text, end + 2), undefined);
});

test('titles, angle brackets, parentheses, %-escapes and backslash escapes in the destination', () => {
  assert.equal(at('![x](|a.png "The title")')?.path, 'a.png');
  assert.equal(at("![x](|a.png 'The title')")?.path, 'a.png');
  assert.equal(at('![x](|<my images/a b.png>)')?.path, 'my images/a b.png');
  assert.equal(at('![x](|shots/run(2).png)')?.path, 'shots/run(2).png');
  assert.equal(at('![x](|my%20image.png)')?.path, 'my image.png');
  assert.equal(at('![x](|a.png?raw=true#frag)')?.path, 'a.png');
  assert.equal(at('![x](|file:///data/a.png)')?.path, 'file:///data/a.png');
  assert.equal(at('![a \\[b\\] \\*c\\*](|a.png)')?.caption, 'a [b] *c*');
  assert.equal(at('![a &amp; b](|a.png)')?.caption, 'a & b');
});

test('an empty alt text gives no caption; remote URLs and non-images give nothing', () => {
  assert.deepEqual(at('![](|a.png)'), { path: 'a.png', caption: undefined, start: 0, end: 10 });
  assert.equal(at('![x](|https://example.com/a.png)'), undefined);
  assert.equal(at('![x](|data:image/png;base64,AAAA)'), undefined);
  assert.equal(at('![x](|notes.txt)'), undefined);
  assert.equal(at('[a link, not an image](|a.png)'), undefined);
});

test('two links on a line: the one under the cursor', () => {
  const text = '![one](1.png) and ![two](2.png)';
  assert.equal(findMarkdownReference(text, 3)?.caption, 'one');
  assert.equal(findMarkdownReference(text, text.indexOf('two'))?.caption, 'two');
  assert.equal(findMarkdownReference(text, text.indexOf('and')), undefined);
});

test('<img> tags: src and alt in any order and quoting, entities decoded', () => {
  assert.deepEqual(at('<img |src="a.png" alt="a red circle">'), { path: 'a.png', caption: 'a red circle', start: 0, end: '<img src="a.png" alt="a red circle">'.length });
  assert.equal(at("<IMG alt='x &quot;y&quot;' width=40 |src=b.jpg />")?.caption, 'x "y"');
  assert.equal(at("<IMG alt='x' width=40 |src=b.jpg />")?.path, 'b.jpg');
  assert.equal(at('<img src="c.webp"|>')?.caption, undefined);
  assert.equal(at('<img |alt="no source">'), undefined);
});

test('only the cursor line is searched, with CRLF line ends', () => {
  const text = '# Title\r\n![cat](cat.png)\r\nplain text\r\n';
  const link = text.indexOf('!');
  assert.deepEqual(findMarkdownReference(text, link + 2), { path: 'cat.png', caption: 'cat', start: link, end: link + '![cat](cat.png)'.length });
  assert.equal(findMarkdownReference(text, text.indexOf('plain')), undefined);
});

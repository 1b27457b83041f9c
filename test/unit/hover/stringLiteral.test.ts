// String literals in TypeScript and Python lines, the dispatch by document kind, and path resolution against
// the document's folder and the workspace folders (real files in a temp dir).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { documentKind, findImageReference } from '../../../src/hover/findReference';
import { resolveImagePath } from '../../../src/hover/resolveImagePath';
import { findStringLiteralReference } from '../../../src/hover/stringLiteral';

function at(marked: string) {
  const offset = marked.indexOf('|');
  return findStringLiteralReference(marked.replace('|', ''), offset);
}

test('TypeScript: single, double and template quotes; the span includes the quotes', () => {
  assert.deepEqual(at("const a = load('|img/a.png');"), { path: 'img/a.png', start: 15, end: 26 });
  assert.equal(at('const b = "x.txt", c = "|y.JPEG";')?.path, 'y.JPEG');
  assert.equal(at('const d = `|shots/${n}.png`;')?.path, 'shots/${n}.png');
  assert.equal(at("const e = 'it\\'s |here.png';")?.path, "it's here.png");
  assert.equal(at('log("it\'s |a.png");')?.path, "it's a.png");
  assert.equal(at('const f = "a.png" + |x;'), undefined);
  assert.equal(at('const g = "|notes.md";'), undefined);
});

test('Python: prefixes outside the quotes, raw Windows paths keep their backslashes', () => {
  assert.equal(at("img = Image.open(r'C:\\data\\|cat.png')")?.path, 'C:\\data\\cat.png');
  assert.equal(at('img = Image.open(f"|{root}/cat.webp")')?.path, '{root}/cat.webp');
  assert.equal(at('p = "C:\\\\data\\\\|dog.png"')?.path, 'C:\\data\\dog.png');
  assert.equal(at('paths = ["a.png", |"b.png"]')?.path, 'b.png');
  assert.equal(at('x = "unterminated |a.png'), undefined);
});

test('dispatch: by language id, else by extension; the string literal fallback everywhere', () => {
  assert.equal(documentKind('markdown', '/w/README'), 'markdown');
  assert.equal(documentKind('plaintext', '/w/data.jsonl'), 'jsonl');
  assert.equal(documentKind('plaintext', '/w/DATA.CSV'), 'csv');
  assert.equal(documentKind('jsonc', '/w/x'), 'json');
  assert.equal(documentKind('python', '/w/x.py'), 'other');
  const markdown = 'Use `load("b.png")` and ![alt](a.png)';
  assert.equal(findImageReference(markdown, markdown.indexOf('a.png'), 'markdown')?.caption, 'alt');
  assert.equal(findImageReference(markdown, markdown.indexOf('b.png'), 'markdown')?.path, 'b.png');
  const csv = 'image,caption\nx.png,"c"\n';
  assert.equal(findImageReference(csv, csv.indexOf('"c"'), 'csv')?.caption, 'c');
  assert.equal(findImageReference(csv, csv.indexOf('"c"'), 'other'), undefined);
});

const root = mkdtempSync(join(tmpdir(), 'mmlens-resolve-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('resolution: document folder first, then workspace folders; absolute paths, file URIs, /-rooted paths', async () => {
  const docs = join(root, 'docs');
  const ws1 = join(root, 'ws1');
  const ws2 = join(root, 'ws2');
  for (const dir of [docs, join(ws1, 'img'), join(ws2, 'img')]) mkdirSync(dir, { recursive: true });
  for (const file of [join(docs, 'a.png'), join(ws1, 'a.png'), join(ws2, 'img', 'b.png'), join(ws1, 'img', 'c.png'), join(ws2, 'img', 'c.png')]) writeFileSync(file, 'x');
  const context = { documentDir: docs, workspaceDirs: [ws1, ws2] };
  assert.equal(await resolveImagePath('a.png', context), join(docs, 'a.png'));
  assert.equal(await resolveImagePath('img/b.png', context), join(ws2, 'img', 'b.png'));
  assert.equal(await resolveImagePath('img/c.png', context), join(ws1, 'img', 'c.png'));
  assert.equal(await resolveImagePath('./../ws1/a.png', context), join(ws1, 'a.png'));
  assert.equal(await resolveImagePath(join(ws2, 'img', 'b.png'), context), join(ws2, 'img', 'b.png'));
  assert.equal(await resolveImagePath(pathToFileURL(join(docs, 'a.png')).href, context), join(docs, 'a.png'));
  assert.equal(await resolveImagePath('/img/b.png', context), join(ws2, 'img', 'b.png'));
  assert.equal(await resolveImagePath('missing.png', context), undefined);
  assert.equal(await resolveImagePath('img', context), undefined, 'a folder is not an image');
  assert.equal(await resolveImagePath('a.png', { workspaceDirs: [ws1] }), join(ws1, 'a.png'));
});

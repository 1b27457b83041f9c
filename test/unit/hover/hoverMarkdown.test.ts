// Escaping of hostile captions, file names and labels in hover Markdown, checked by rendering with
// markdown-it (a CommonMark parser, here with raw HTML and linkify ON, stricter than VS Code's hover, which
// strips HTML): the text comes out as text, and the only link and images are the ones the hover builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ADD_TO_EXPLORER_COMMAND, HOVER_COMMANDS, previewMarkdown } from '../../../src/hover/hoverMarkdown';
import { commandUri, escapeMarkdown } from '../../../src/hover/markdownText';
import type { HoverPreview } from '../../../src/hover/renderPreview';

// markdown-it ships no types; this is the one method used.
const markdownIt = createRequire(__filename)('markdown-it') as (options: object) => { render(src: string): string };
const md = markdownIt({ html: true, linkify: true });

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '[click me](command:workbench.action.terminal.new)',
  '![x](https://evil.example/x.png)',
  '[ref]: https://evil.example',
  '<https://evil.example>',
  'see https://evil.example and www.evil.example',
  '**bold** _em_ `code` ~~del~~',
  '# heading',
  '- item',
  '1. item',
  '> quote',
  '    indented code',
  '| a | b |',
  '---',
  '&lt;not an entity&gt; &amp; &#65;',
  'back\\slash \\*',
  '$(zap) icon',
];

function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

test('each hostile caption renders as exactly its own text (spaces folded), in one paragraph', () => {
  for (const caption of HOSTILE) {
    const text = htmlText(caption.replace(/\s+/g, ' ').trim());
    assert.equal(md.render(`Caption: ${escapeMarkdown(caption)}`), `<p>Caption: ${text}</p>\n`, caption);
    // At the start of a line too, where block syntax (headings, lists, quotes, tables, code) would apply.
    assert.equal(md.render(escapeMarkdown(caption)), `<p>${text}</p>\n`, caption);
  }
});

test('line breaks, controls and bidi overrides fold to single spaces; long text is cut with an ellipsis', () => {
  assert.equal(md.render(escapeMarkdown('first\n\n# second\r\n- third\u2028fourth\u0000\u0007end')), '<p>first # second - third fourth end</p>\n');
  assert.equal(escapeMarkdown('abc\u202edef.png'), 'abc def\\.png');
  assert.equal(escapeMarkdown('x'.repeat(300), 10), `${'x'.repeat(9)}…`);
  // A cut never splits a surrogate pair.
  assert.equal(escapeMarkdown('😀'.repeat(5), 3), '😀😀…');
});

test('command links carry exactly their arguments, whatever the path holds', () => {
  const path = '/data/odd (1) )"]% 100%\'*!/猫 a.png';
  const uri = commandUri(ADD_TO_EXPLORER_COMMAND, [path]);
  assert.match(uri, /^command:multimodalLens\.addToExplorer\?[A-Za-z0-9%._~-]+$/);
  assert.deepEqual(JSON.parse(decodeURIComponent(uri.slice(uri.indexOf('?') + 1))), [path]);
  const html = md.render(`[Open](${uri})`);
  assert.equal(html, `<p><a href="${uri}">Open</a></p>\n`);
});

test('a whole preview with hostile names: one command link, two data: images, all text escaped', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  const preview: HoverPreview = {
    rolloutUrl: png,
    alignmentUrl: png,
    captionScore: 0.25,
    labels: [{ label: '<b>red</b> [x](command:evil)', probability: 0.875 }, { label: 'blue *square*', probability: 0.125 }],
    model: '](javascript:alert(1))',
    executionProvider: 'cpu',
    notices: ['<img src=x onerror=alert(2)>'],
  };
  const path = '/w/](command:evil)<img src=x>.png';
  const html = md.render(previewMarkdown(path, '<img src=x onerror=alert(1)>', preview));
  const links = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(links, [commandUri(ADD_TO_EXPLORER_COMMAND, [path])]);
  // The MarkdownString trusts exactly the extension's two image commands, and the one link uses one of them.
  assert.deepEqual(HOVER_COMMANDS, ['multimodalLens.addToExplorer', 'multimodalLens.analyzeImage']);
  assert.ok(HOVER_COMMANDS.some((c) => links[0].startsWith(`command:${c}?`)));
  const images = [...html.matchAll(/<img src="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(images, [png, png]);
  assert.ok(!/<(script|b|h\d|li|code|table)\b/.test(html), html);
  // Only the hover's own emphasis: the title, the legend and the one notice.
  assert.equal(html.match(/<strong>/g)?.length, 1);
  assert.equal(html.match(/<em>/g)?.length, 2);
  assert.ok(html.includes(htmlText('“<img src=x onerror=alert(1)>” (similarity 0.250)')), html);
  assert.ok(html.includes(htmlText('Top labels: <b>red</b> [x](command:evil) 87.5% · blue *square* 12.5%')), html);
  assert.ok(html.includes(htmlText('Model: ](javascript:alert(1)) on cpu')), html);
  assert.ok(html.includes(htmlText('](command:evil)<img src=x>.png')), html);
  // The key facts come before the images, so VS Code's 250 px hover shows them without scrolling.
  const at = (needle: string) => html.indexOf(needle);
  for (const fact of ['Model:', '<a href=', 'Top labels:', 'similarity 0.250']) assert.ok(at(fact) >= 0 && at(fact) < at('<img'), `${fact} before the images`);
});

test('the hover stays under VS Code\'s 100,000-character Markdown limit: images that do not fit are left out', () => {
  const url = (chars: number) => `data:image/png;base64,${'A'.repeat(chars)}`;
  const base: HoverPreview = { labels: [{ label: 'red circle', probability: 0.5 }], model: 'm', executionProvider: 'cpu', notices: [] };
  const path = '/w/a.png';
  const link = commandUri(ADD_TO_EXPLORER_COMMAND, [path]);
  const both = previewMarkdown(path, 'c', { ...base, rolloutUrl: url(40_000), alignmentUrl: url(40_000) });
  assert.equal(both.match(/!\[/g)?.length, 2);
  const one = previewMarkdown(path, 'c', { ...base, rolloutUrl: url(60_000), alignmentUrl: url(60_000) });
  assert.equal(one.match(/!\[/g)?.length, 1);
  assert.ok(one.includes('![Attention rollout'));
  const none = previewMarkdown(path, 'c', { ...base, rolloutUrl: url(120_000), alignmentUrl: url(60_000) });
  assert.equal(none.match(/!\[/g), null);
  assert.match(none, /too large to show in a hover/);
  for (const markdown of [both, one, none]) {
    assert.ok(markdown.length < 100_000, `${markdown.length} characters`);
    assert.ok(markdown.includes(link));
  }
});

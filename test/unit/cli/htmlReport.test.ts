import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHtmlReport } from '../../../src/cli/htmlReport';
import type { ReportData } from '../../../src/shared/reportData';
import { SCHEMA_VERSION } from '../../../src/shared/analysisResult';

const attack = '</script><img src=x onerror=alert(1)>';

const data: ReportData = {
  result: {
    schemaVersion: SCHEMA_VERSION,
    model: { name: 'demo <b>model</b>', architecture: 'twoTower', executionProvider: 'cpu', notices: [] },
    images: [{ path: 'scene.png', width: 64, height: 64 }],
    texts: [{ text: attack, tokens: ['<|startoftext|>', '</script>', '<|endoftext|>'], truncated: false }],
    grid: { rows: 1, cols: 2 },
    similarity: [[0.25]],
    probabilities: [[1]],
    logitScale: 100,
    attentionObservable: true,
    maps: { rollout: [[[0.1, 0.9]]], alignment: [[[[0.2, 0.3]]]] },
    timings: { vision: 12 },
  },
  images: ['data:image/png;base64,iVBORw0KGgo='],
};
const assets = { script: 'console.log("</script>"); /* <!-- */', css: 'body { color: red } /* </style> */' };

/** The text between an opening tag that matches `open` and the next `close`. */
function element(html: string, open: RegExp, close: string): { tag: string; body: string } {
  const match = open.exec(html);
  assert.ok(match, `no element matching ${open}`);
  const start = match.index + match[0].length;
  return { tag: match[0], body: html.slice(start, html.indexOf(close, start)) };
}

test('the report carries a CSP that allows only data: images and nonce-tagged inline style and script', () => {
  const html = buildHtmlReport(data, assets);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp, 'no CSP meta tag');
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
  assert.ok(nonce && nonce.length >= 16, 'no strong nonce in the CSP');
  assert.equal(csp, `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`);
  assert.match(element(html, /<style[^>]*>/, '</style>').tag, new RegExp(`nonce="${nonce.replace(/[+/]/g, '\\$&')}"`));
  assert.match(element(html, /<script nonce="[^"]*">/, '</script>').tag, new RegExp(`nonce="${nonce.replace(/[+/]/g, '\\$&')}"`));
  assert.notEqual(/'nonce-([^']+)'/.exec(buildHtmlReport(data, assets))?.[1], nonce, 'the nonce must be fresh on every build');
});

test('the report references nothing outside itself', () => {
  const html = buildHtmlReport(data, assets);
  assert.doesNotMatch(html, /https?:/i);
  assert.doesNotMatch(html, /<(link|base|iframe|object|embed)\b/i);
  for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) {
    for (const [, url] of tag.matchAll(/\b(?:src|href|action|poster)\s*=\s*["']?([^"'\s>]*)/gi)) assert.ok(url.startsWith('data:'), `external reference ${url} in ${tag}`);
  }
});

test('user text in the inline JSON cannot close the script element, and parses back unchanged', () => {
  const html = buildHtmlReport(data, assets);
  const json = element(html, /<script type="application\/json" id="mmlens-data">/, '</script>').body;
  assert.ok(!json.includes('<'), 'a raw < survived in the inline JSON');
  assert.ok(json.includes('\\u003c/script>\\u003cimg src=x onerror=alert(1)>'));
  assert.deepEqual(JSON.parse(json), data);
  assert.equal(html.match(/<img/g), null);
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the two real script elements may close');
});

test('the inlined script and CSS cannot end their elements early, and the title is escaped', () => {
  const html = buildHtmlReport(data, assets);
  assert.equal(element(html, /<script nonce="[^"]*">/, '</script>').body.trim(), 'console.log("\\x3C/script>"); /* \\x3C!-- */');
  assert.equal(element(html, /<style[^>]*>/, '</style>').body.trim(), 'body { color: red } /* <\\/style> */');
  assert.match(html, /<title>Multimodal Lens report: demo &#60;b&#62;model&#60;\/b&#62;<\/title>/);
});

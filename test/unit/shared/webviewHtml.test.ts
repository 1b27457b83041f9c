/**
 * The one builder of webview HTML (src/providers/webviewHtml.ts, which needs no `vscode` at run time): the CSP,
 * the nonce on the only script, styles from the webview origin, and resource roots limited to dist/ and media/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { contentSecurityPolicy, newNonce, pageHtml, webviewHtml, webviewOptions } from '../../../src/providers/webviewHtml';

/** Just enough of vscode.Uri for the builder: a path and `with`. */
function fakeUri(path: string): vscode.Uri {
  const uri = { scheme: 'file', path, with: (change: { path: string }) => fakeUri(change.path), toString: () => `file://${path}` };
  return uri as unknown as vscode.Uri;
}

const webview = { cspSource: 'https://abc.vscode-cdn.net', asWebviewUri: (uri: vscode.Uri) => ({ toString: () => `https://abc.vscode-cdn.net${uri.path}` }) } as unknown as vscode.Webview;

test('the CSP allows nothing by default, scripts only by nonce, no inline code or eval', () => {
  assert.equal(contentSecurityPolicy('https://o', 'N0nce'), "default-src 'none'; img-src https://o data:; style-src https://o; font-src https://o; script-src 'nonce-N0nce'");
  // The policy sits in an attribute, quotes written as entities.
  const html = webviewHtml(webview, fakeUri('/ext'), 'explorer', 'Alignment Explorer').replaceAll('&#39;', "'");
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
  const nonce = /script-src 'nonce-([^']+)'/.exec(html)![1];
  assert.equal(Buffer.from(nonce, 'base64').length, 16, '128 random bits');
  assert.deepEqual([...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]), [`<script nonce="${nonce}" src="https://abc.vscode-cdn.net/ext/dist/webview/explorer.js">`]);
  assert.deepEqual([...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]), ['https://abc.vscode-cdn.net/ext/dist/webview/report.css', 'https://abc.vscode-cdn.net/ext/dist/webview/explorer.css']);
  assert.doesNotMatch(html, /<style|style=/, 'no inline styles');
});

test('each page gets a fresh nonce', () => {
  const nonces = new Set(Array.from({ length: 50 }, () => newNonce()));
  assert.equal(nonces.size, 50);
});

test('a title is escaped, not markup', () => {
  const html = pageHtml({ cspSource: 'o', nonce: 'n', script: 's.js', styles: [], title: '</title><script>alert(1)</script>' });
  assert.match(html, /<title>&#60;\/title&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;<\/title>/);
  assert.equal(html.match(/<script/g)?.length, 1);
});

test('resources load only from the extension\'s dist/ and media/ folders', () => {
  const options = webviewOptions(fakeUri('/ext/'));
  assert.equal(options.enableScripts, true);
  assert.deepEqual(options.localResourceRoots?.map((uri) => uri.path), ['/ext/dist', '/ext/media']);
});

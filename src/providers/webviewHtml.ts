/**
 * The HTML of every webview the extension owns, from one place: a CSP with `default-src 'none'`, scripts
 * only by a fresh crypto nonce, styles and images only from the webview's own resource origin (plus data:
 * URLs for image previews), and resources only from the extension's dist/ and media/ folders. Nothing here
 * needs the `vscode` module at run time, so the webview tests build their pages with `pageHtml` too.
 */
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** The built webview entries (dist/webview/<entry>.js and .css, see tools/build.mjs). */
export type WebviewEntry = 'explorer' | 'editor' | 'ask';

/** What one page needs: the origin for CSP, the script and style URLs, a nonce and a title. */
export interface PageParts {
  cspSource: string;
  nonce: string;
  script: string;
  styles: string[];
  title: string;
}

/** A fresh nonce per page, 128 bits from the OS's cryptographic generator. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The Content-Security-Policy of a page: no inline code, no eval, no network but the webview's own origin. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `img-src ${cspSource} data:`, `style-src ${cspSource}`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

/** The page as HTML: an empty #app that the entry script fills. */
export function pageHtml(parts: PageParts): string {
  const links = parts.styles.map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(parts.cspSource, parts.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeAttribute(parts.title)}</title>
${links}
</head>
<body>
<main id="app" class="mmlens"></main>
<script nonce="${escapeAttribute(parts.nonce)}" src="${escapeAttribute(parts.script)}"></script>
</body>
</html>
`;
}

function child(base: vscode.Uri, ...segments: string[]): vscode.Uri {
  return base.with({ path: [base.path.replace(/\/$/, ''), ...segments].join('/') });
}

/** Webview options: scripts on, resources only from dist/ and media/ of the extension. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [child(extensionUri, 'dist'), child(extensionUri, 'media')] };
}

/** The HTML of `entry` for `webview`, with a fresh nonce. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, entry: WebviewEntry, title: string): string {
  const asset = (name: string) => webview.asWebviewUri(child(extensionUri, 'dist', 'webview', name)).toString();
  return pageHtml({ cspSource: webview.cspSource, nonce: newNonce(), script: asset(`${entry}.js`), styles: [asset('report.css'), asset(`${entry}.css`)], title });
}

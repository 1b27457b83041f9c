/**
 * A stand-in VS Code for the built explorer and editor webviews in headless Chromium: the page is built by
 * the extension's own pageHtml (same CSP, scripts by nonce), `acquireVsCodeApi` records what the page posts
 * and keeps its saved state, and the test plays the host by posting messages into the page.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { newNonce, pageHtml, type WebviewEntry } from '../../src/providers/webviewHtml';
import type { ProbeResult } from '../../src/shared/probeResult';
import type { ToWebview } from '../../src/shared/protocol';

/** The payload every text field is tried with. */
export const XSS = '<img src=x onerror=alert(1)>';

/** A page under test and the host's side of it. */
export interface Webview {
  page: Page;
  /** Console errors, page errors, dialogs (alert), CSP violations: a clean page has none. */
  problems: string[];
  /** Everything the page posted so far, in order. */
  posted(): Promise<Record<string, unknown>[]>;
  /** Waits until the page has posted a message of `type` after the first `after` messages; returns it. */
  nextPosted(type: string, after?: number): Promise<Record<string, unknown>>;
  /** Delivers a host message to the page, as VS Code does (typed arrays included), and waits until the page handled it. */
  send(message: ToWebview): Promise<void>;
  /** What the page saved with setState. */
  savedState(): Promise<unknown>;
}

const asset = (name: string) => pathToFileURL(resolve('dist/webview', name)).href;

/** Opens the built `entry` with `savedState` as what getState returns (VS Code restoring a hidden view). */
export async function openWebview(browser: Browser, entry: WebviewEntry, savedState?: unknown): Promise<Webview> {
  const html = pageHtml({ cspSource: 'file:', nonce: newNonce(), script: asset(`${entry}.js`), styles: [asset('report.css'), asset(`${entry}.css`)], title: entry });
  const file = join(mkdtempSync(join(tmpdir(), `mmlens-${entry}-`)), 'index.html');
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 900, height: 1100 }, deviceScaleFactor: 1 });
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // Injected through DevTools, as VS Code injects its API: the page's CSP does not apply to it. A string, because
  // tsx would wrap named functions in a helper that does not exist in the page.
  await page.addInitScript(`(() => {
    window.posted = [];
    window.saved = ${JSON.stringify(savedState ?? null)} ?? undefined;
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.posted.push(structuredClone(m)),
        getState: () => window.saved,
        setState: (s) => { window.saved = structuredClone(s); },
      };
    };
    document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
  })();`);
  await page.goto(pathToFileURL(file).href);
  const posted = () => page.evaluate(() => (window as unknown as { posted: Record<string, unknown>[] }).posted);
  return {
    page,
    problems,
    posted,
    async nextPosted(type, after = 0) {
      const handle = await page.waitForFunction(({ type, after }) => (window as unknown as { posted: { type: string }[] }).posted.slice(after).find((m) => m.type === type), { type, after }, { timeout: 5000 });
      return (await handle.jsonValue()) as Record<string, unknown>;
    },
    // Typed arrays cross the test's evaluate boundary tagged, and are rebuilt as Float32Array in the page.
    // Resolves once the page has handled the message: its own listener was added first, so it runs before this
    // one, and a frame it asked for runs before this one's. postMessage alone returns before either.
    send: (message) => page.evaluate((json) => new Promise<void>((handled) => {
      window.addEventListener('message', () => requestAnimationFrame(() => handled()), { once: true });
      window.postMessage(JSON.parse(json, (_, v) => (v && typeof v === 'object' && '__f32' in v ? Float32Array.from((v as { __f32: number[] }).__f32) : v)), '*');
    }), JSON.stringify(message, (_, v) => (v instanceof Float32Array ? { __f32: Array.from(v) } : v))),
    savedState: () => page.evaluate(() => (window as unknown as { saved: unknown }).saved),
  };
}

/** A theme as VS Code applies it: variables on <html> (through CSSOM, as VS Code does) and the body's class. */
export async function setTheme(page: Page, bodyClass: string, variables: Record<string, string>): Promise<void> {
  await page.evaluate(({ bodyClass, variables }) => {
    for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
    document.body.className = bodyClass;
  }, { bodyClass, variables });
}

/** A solid-colour PNG as a data: URL (an image preview as the host sends it). */
export function solidPng(width: number, height: number, rgb: [number, number, number]): string {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([...rgb, 255], i * 4);
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

/** A small single-stream probe result: EMAP, ablation and a 1 x 2 cross-modal share table. */
export function probeFixture(): ProbeResult {
  const side = (meanDrop: number) => ({ scores: [0, 0], drop: [meanDrop, meanDrop], meanDrop });
  const share = (v: number) => ({ textToImage: v, imageToText: v / 2, within: 1 - v, z: { textToImage: 0, imageToText: 0, within: 0 } });
  return {
    schemaVersion: 1,
    kind: 'probe',
    model: { name: 'fixture', architecture: 'singleStream', executionProvider: 'cpu', notices: [] },
    manifest: { path: 'pairs.jsonl', format: 'jsonl', pairs: 2, limit: 500, limited: false, labelled: false, missingImages: { count: 0, examples: [] } },
    pairs: [{ image: '/a.png', caption: 'one' }, { image: '/b.png', caption: XSS }],
    scoreKind: 'itmLogOdds',
    scores: [[1, 0], [0, 1]],
    retrieval: { imageToText: { r1: 1, r5: 1, r10: 1 }, textToImage: { r1: 1, r5: 1, r10: 1 }, queries: { imageToText: 2, textToImage: 2 } },
    emap: { metric: 'recall@1', full: 1, additive: 0.5 },
    perceptualScore: { metric: 'recall@1', full: 1, image: 0.5, text: 0.5, permuted: { image: [0.5], text: [0.5] }, seed: 0 },
    ablation: { matched: [1, 1], emptyText: side(0.25), meanImage: side(0.75) },
    crossModalAttention: [[share(0.25), share(0.75)]],
    timings: {},
  };
}

/**
 * Opens a built HTML report in headless Debian Chromium and records everything that went wrong on the page
 * (console errors, uncaught exceptions, CSP violations, dialogs), plus pixel readers for the assertions.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { buildHtmlReport } from '../../src/cli/htmlReport';
import { packAttention, packTextTower } from '../../src/inference/tasks/packAttention';
import { readReportAssets } from '../../src/cli/reportAssets';
import type { GenerationReportData } from '../../src/shared/generationResult';
import type { ReportAttentionLevel } from '../../src/shared/packedAttention';
import type { ProbeReportData } from '../../src/shared/probeResult';
import type { ReportData } from '../../src/shared/reportData';
import { layersOf } from '../support/layerAttention';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches Debian's Chromium; fails (never skips) when it is not installed, saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the webview tests need it. Install it with \`apt-get install chromium\` (CI does).`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * Fixtures hold an analysis with its attention nested, as --json writes it; the page gets it as the product
 * sends it, packed (src/inference/tasks/packAttention.ts, at `level` or the one its size picks).
 */
export function asSent(data: ReportData | ProbeReportData | GenerationReportData, level?: ReportAttentionLevel): ReportData | ProbeReportData | GenerationReportData {
  if (!('images' in data) || 'generated' in data.result || 'attention' in data) return data;
  const { result } = data as ReportData;
  const tower = result.attention?.vision ? 'vision' : 'joint';
  const nested = result.attention?.[tower];
  if (!nested) return data;
  const patchStart = nested[0][0][0].length - result.grid.rows * result.grid.cols;
  const packed = packAttention(tower, layersOf(nested), nested[0].length, patchStart, { level });
  // A text tower travels beside it, as attentionParts packs it: cut to the longest text's real tokens.
  const textNested = result.attention?.text;
  const text = packed && textNested ? packTextTower(layersOf(textNested), textNested[0].length, Math.max(...result.texts.map((t) => t.tokens.length))) : undefined;
  const attention = packed && text ? { ...packed, text } : packed;
  return { ...data, result: { ...result, attention: undefined }, ...(attention ? { attention } : {}) };
}

/** Things the page reported that a clean report never does. */
export interface PageProblems {
  console: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Filled by a listener the test injects before any page script runs. */
  violations(): Promise<string[]>;
}

/**
 * Writes the report (an analysis, a probe or a generation) for `data` with the built dist/webview assets to a temp file and opens it. `asPanel` opens it
 * as the VS Code panel sees it: with a stand-in `acquireVsCodeApi` whose posted messages collect in `window.posted`.
 * `file` is the written report.
 */
export async function openReport(browser: Browser, data: ReportData | ProbeReportData | GenerationReportData, asPanel = false): Promise<{ page: Page; problems: PageProblems; file: string }> {
  const assets = await readReportAssets('.', 'generated' in data.result ? 'generation' : 'images' in data ? 'report' : 'probe');
  const file = join(mkdtempSync(join(tmpdir(), 'mmlens-report-')), 'report.html');
  writeFileSync(file, buildHtmlReport(asSent(data), assets));
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
  const problems: PageProblems = {
    console: [],
    pageErrors: [],
    dialogs: [],
    violations: () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
  };
  page.on('console', (message) => {
    // Errors only: Chromium warns about the test's own getImageData read-backs.
    if (message.type() === 'error') problems.console.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  // Injected through the DevTools protocol, so the report's CSP does not block it.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // A string, because tsx would wrap a named function in a helper that does not exist in the page.
  if (asPanel) await page.addInitScript('window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(structuredClone(m)), getState: () => undefined, setState: () => {} });');
  await page.goto(pathToFileURL(file).href);
  return { page, problems, file };
}

/** An RGB(A) colour as read from a canvas or screenshot. */
export type Rgb = [number, number, number];

/** The RGB of pixels [x, y] of a canvas's own bitmap (not as the CSS scales it), read in one round trip. */
export async function canvasPixels(canvas: Locator, points: [number, number][]): Promise<Rgb[]> {
  return canvas.evaluate((element, at) => {
    const context = (element as HTMLCanvasElement).getContext('2d');
    return at.map(([x, y]) => {
      const data = context?.getImageData(x, y, 1, 1).data ?? [];
      return [data[0], data[1], data[2]] as Rgb;
    });
  }, points);
}

/** The alpha (0 transparent to 255 opaque) of pixels [x, y] of a canvas's own bitmap. */
export async function canvasAlphas(canvas: Locator, points: [number, number][]): Promise<number[]> {
  return canvas.evaluate((element, at) => {
    const context = (element as HTMLCanvasElement).getContext('2d');
    return at.map(([x, y]) => context?.getImageData(x, y, 1, 1).data[3] ?? -1);
  }, points);
}

/** The RGB at CSS pixel (x, y) of what the browser shows for `element` (a screenshot of it). */
export async function shownPixel(element: Locator, x: number, y: number): Promise<Rgb> {
  const png = PNG.sync.read(await element.screenshot({ animations: 'disabled' }));
  const i = (png.width * Math.floor(y) + Math.floor(x)) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}

/** Whether two colours differ by at most `tolerance` in every channel. */
export function closeColour(actual: Rgb, expected: Rgb, tolerance: number): boolean {
  return actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance);
}

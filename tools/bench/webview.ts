/**
 * Webview: the ViT-B/16 panel page (the memory child's real analysis, attention of 12 layers x 12 heads of
 * 197 x 197 inlined as the product inlines it) in headless Chromium, driven as the webview tests drive it.
 * The figure is the redraw of the full layer x head grid (144 thumbnails) after the query token changes,
 * up to the next frame; the page's own load (HTML, JSON, first draw) is shown beside it.
 */
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../test/webview/reportPage';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, median, type Figure } from './figures';
import { analyzeViTB16InChild } from './memory';

const ROUNDS = 7;

/**
 * Opens the analysis page `html` in a `width`-pixel-wide tab; throws unless its head grid drew without page
 * errors. Returns the page, the time to DOMContentLoaded (the grid is drawn by then) and the thumbnail count.
 */
export async function openHeadGridPage(browser: Browser, html: string, width: number): Promise<{ page: Page; loadMs: number; thumbnails: number }> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  page.setDefaultTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  const loadMs = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd);
  const thumbnails = await page.locator('section.heads .head-thumb canvas').count();
  if (errors.length > 0 || thumbnails === 0) throw new Error(`The page did not draw its head grid (${thumbnails} thumbnails; ${errors.join('; ')}).`);
  return { page, loadMs, thumbnails };
}

/** Grid redraw and page load times of the ViT-B/16 panel page. */
export async function webview(ctx: BenchContext): Promise<Figure[]> {
  const html = ctx.panelHtml ?? (await analyzeViTB16InChild(ctx)).html;
  log('Webview: ViT-B/16 head grid in headless Chromium');
  const browser = await launchChromium();
  try {
    const { page, loadMs, thumbnails } = await openHeadGridPage(browser, html, 1000);
    const draws: { script: number; frame: number }[] = [];
    for (let query = 1; query <= ROUNDS + 1; query++) {
      draws.push(await page.evaluate(async (q) => {
        const input = document.querySelector<HTMLInputElement>('section.heads input[type=number]')!;
        const start = performance.now();
        input.value = String(q);
        input.dispatchEvent(new Event('input'));
        const script = performance.now() - start;
        await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
        return { script, frame: performance.now() - start };
      }, query));
    }
    const timed = draws.slice(1);
    return [
      goal('ViT-B/16 head grid draw (all layers x heads)', median(timed.map((d) => d.frame)), 'ms', { op: '<=', limit: 150 },
        `${thumbnails} thumbnails of 14x14 from 144 maps of 197x197, redrawn for a new query token, to the next frame`),
      info('  of it the drawing script (drawHeadGrid)', median(timed.map((d) => d.script)), 'ms', 'the rest is style, layout and paint'),
      info('  ViT-B/16 panel page load (HTML, JSON, first draw)', loadMs, 'ms', 'not a goal; the attention travels as inline JSON'),
    ];
  } finally {
    await browser.close();
  }
}

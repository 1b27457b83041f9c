/**
 * Large: the analysis page of a CLIP of ViT-L/14 at 336 px (LLaVA's vision tower, 24 layers x 16 heads over 577
 * tokens; random weights of its real size, 1.7 GB) and of a SigLIP-So400m at 384 px (27 layers x 16 heads over
 * 729 patches, both towers, 3.6 GB): the memory child's analysis and page (memoryChild.ts), then the page in
 * headless Chromium: how long it takes to open with its head grid drawn, and to enlarge a head. Both models are
 * held to the same goals.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../../test/webview/reportPage';
import { runChild } from './child';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, median, type Figure } from './figures';
import { stageFigures } from './memory';
import type { MemoryChildResult } from './memoryChild';
import { photoImage } from './sampleInputs';
import { openHeadGridPage } from './webview';

const ENLARGE_ROUNDS = 7;

/** Page size, host memory, page opening and head enlarging of ViT-L/14@336, then of SigLIP-So400m@384. */
export async function largeModel(ctx: BenchContext): Promise<Figure[]> {
  return [...await oneLargeModel(ctx, 'ViT-L/14@336'), ...await oneLargeModel(ctx, 'SigLIP-So400m@384')];
}

async function oneLargeModel(ctx: BenchContext, label: 'ViT-L/14@336' | 'SigLIP-So400m@384'): Promise<Figure[]> {
  const model = ctx.model(label);
  const html = join(ctx.scratch, `${label.replace(/\W+/g, '-').toLowerCase()}-panel.html`);
  log(`Large: ${label} analysis in a fresh process`);
  const result = await runChild<MemoryChildResult>('memoryChild.ts', [model.dir, await photoImage(ctx.scratch), html, ctx.ep]);
  ctx.providersSeen.add(result.provider);
  const modelMiB = model.bytes / 2 ** 20;
  const peak = result.stages[result.stages.length - 1].peakMiB;
  const page = await openAndEnlarge(html);
  const layers = `${model.shape.layers} layers x ${model.shape.heads} heads over ${model.visionTokens} tokens`;
  return [
    goal(`Peak RSS / model size, ${label} analysis and page`, peak / modelMiB, 'ratio', { op: '<=', limit: 2.5 },
      `1 image, 5 texts, attention packed for the page, page built, in a fresh process; model ${Math.round(modelMiB)} MiB, ${layers}`),
    goal(`${label} report file`, statSync(html).size / 2 ** 20, 'MiB', { op: '<=', limit: 25 }, `attention packed as ${result.level} (the default for this size)`),
    info('  its attention packed in full (--report-attention full)', result.fullAttentionBytes / 2 ** 20, 'MiB', 'every query\'s row, 8 bits, zlib, base64'),
    ...stageFigures(result.stages),
    info(`  ${label} analyze() in that process`, result.analyzeMs, 'ms', 'one call, sessions already open'),
    goal(`${label} page open in Chromium, head grid drawn`, page.openMs, 'ms', { op: '<=', limit: 3000 }, `${page.thumbnails} thumbnails; to DOMContentLoaded, the grid drawn by then`),
    goal(`${label} head enlarged`, page.enlargeMs, 'ms', { op: '<=', limit: 100 }, 'click on a thumbnail to the next frame, median'),
  ];
}

/** Opens the page, checks its grid, and enlarges heads of the last layer in turn. */
async function openAndEnlarge(html: string): Promise<{ openMs: number; enlargeMs: number; thumbnails: number }> {
  const browser = await launchChromium();
  try {
    const { page, loadMs: openMs, thumbnails } = await openHeadGridPage(browser, html, 1200);
    const times: number[] = [];
    for (let round = 0; round <= ENLARGE_ROUNDS; round++) {
      times.push(await page.evaluate(async (i) => {
        const buttons = document.querySelectorAll<HTMLButtonElement>('section.heads .head-thumb');
        const start = performance.now();
        buttons[buttons.length - 1 - i].click();
        await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
        return performance.now() - start;
      }, round));
    }
    return { openMs, enlargeMs: median(times.slice(1)), thumbnails };
  } finally {
    await browser.close();
  }
}

/**
 * Memory: the peak resident memory of a fresh process that analyses one image with five texts on ViT-B/16
 * (memoryChild.ts), against the size of the model's two ONNX files. It also leaves the panel page that the
 * webview figure draws.
 */
import { join } from 'node:path';
import { runChild } from './child';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, type Figure } from './figures';
import type { MemoryChildResult, MemoryStage } from './memoryChild';
import { photoImage } from './sampleInputs';

/** Runs the child once (its peak is a maximum, not a timing, so one run says it) and returns its result. */
export async function analyzeViTB16InChild(ctx: BenchContext): Promise<{ result: MemoryChildResult; html: string }> {
  const model = ctx.model('ViT-B/16');
  const html = join(ctx.scratch, 'vit-b-16-panel.html');
  log('Memory: ViT-B/16 analysis in a fresh process');
  const result = await runChild<MemoryChildResult>('memoryChild.ts', [model.dir, await photoImage(ctx.scratch), html, ctx.ep]);
  ctx.providersSeen.add(result.provider);
  ctx.panelHtml = html;
  return { result, html };
}

/** The memory child's peak after each stage, one figure each. */
export function stageFigures(stages: MemoryStage[]): Figure[] {
  return stages.map((s) => info(`  peak RSS after: ${s.stage}`, s.peakMiB, 'MiB', `RSS now ${Math.round(s.nowMiB)} MiB, of it ${Math.round(s.arrayBuffersMiB)} MiB in JS ArrayBuffers`));
}

/** Peak RSS / model size, with the memory after each stage. */
export async function memory(ctx: BenchContext): Promise<Figure[]> {
  const model = ctx.model('ViT-B/16');
  const { result } = await analyzeViTB16InChild(ctx);
  const modelMiB = model.bytes / 2 ** 20;
  const peak = result.stages[result.stages.length - 1].peakMiB;
  return [
    goal('Peak RSS / model size, ViT-B/16 analysis', peak / modelMiB, 'ratio', { op: '<=', limit: 2.5 },
      '1 image, 5 texts, attention packed for the panel, panel HTML built, in a fresh process (VmHWM)'),
    info('  ViT-B/16 model files (vision + text)', modelMiB, 'MiB'),
    ...stageFigures(result.stages),
    info('  ViT-B/16 analyze() in that process', result.analyzeMs, 'ms', 'one call, sessions already open'),
    info('  panel HTML size', result.htmlBytes / 2 ** 20, 'MiB', `attention packed (${result.level}), 8 bits per value, zlib`),
  ];
}

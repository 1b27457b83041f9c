/**
 * What the crash-proof boundary costs: the extension host's inference runs in a forked process
 * (src/inference/remote/), so every call's request and result cross an IPC channel (structured clone). Measured on
 * the demo model, interleaved: an uncached hover preview and an analysis with attention, each in this process and
 * through the inference process, with the sessions warm on both sides.
 */
import { join } from 'node:path';
import { PreviewService } from '../../src/hover/previewService';
import { renderPreview } from '../../src/hover/renderPreview';
import { InferenceClient } from '../../src/inference/remote/inferenceClient';
import { InferenceService } from '../../src/inference/service';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, interleavedMedians, timed, type Figure } from './figures';
import { DEMO_MODEL, SAMPLE_SCENE, sampleHover } from './sampleInputs';

const ROUNDS = 9;
const CACHE_BYTES = 64 * 2 ** 20;

/** Hover and analysis latency with and without the process boundary. */
export async function processBoundary(ctx: BenchContext): Promise<Figure[]> {
  log('Process boundary: the demo model in this process and in the inference process');
  const options = { executionProvider: ctx.ep, defaultModelDir: DEMO_MODEL };
  const service = new InferenceService(options);
  const client = new InferenceClient(options, join('dist', 'inferenceProcess.js'));
  const request = sampleHover(ctx.ep);
  // A fresh preview cache per hover, so that each one renders.
  const hoverHere = () => new PreviewService((path, caption, settings, signal) => renderPreview(service, path, caption, settings, signal), CACHE_BYTES).preview(request);
  const hoverThere = () => new PreviewService((path, caption, settings, signal) => client.renderPreview(path, caption, settings, signal), CACHE_BYTES).preview(request);
  const analysis = { images: [SAMPLE_SCENE], texts: ['a red circle', 'a blue square', 'a green triangle'], includeAttention: true };
  try {
    const start = await timed(() => client.describeModel());
    const [hereHover, thereHover, hereAnalysis, thereAnalysis] = await interleavedMedians(ROUNDS, [
      hoverHere, hoverThere, () => service.analyze(analysis), () => client.analyze(analysis),
    ]);
    return [
      goal('Process boundary: uncached hover (inference process / this process)', thereHover / hereHover, 'ratio', { op: '<=', limit: 1.25 }, 'demo model, warm sessions on both sides'),
      info('  uncached hover in this process', hereHover, 'ms'),
      info('  uncached hover through the inference process', thereHover, 'ms'),
      info('Process boundary: analysis with attention (inference process / this process)', thereAnalysis / hereAnalysis, 'ratio', '1 image, 3 texts, every layer\'s attention copied across'),
      info('  analysis in this process', hereAnalysis, 'ms'),
      info('  analysis through the inference process', thereAnalysis, 'ms'),
      info('  starting the inference process and loading the model', start, 'ms', 'once per session, and after a crash'),
    ];
  } finally {
    await client.dispose();
    await service.dispose();
  }
}

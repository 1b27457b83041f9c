/**
 * Hover latency on the demo model, through the hover provider's own path: the preview service (content hash,
 * result cache, request queue) rendering with the inference service (analysis with rollout and the caption's
 * alignment, zero-shot labels, the two overlay thumbnails). "Uncached" is a hover over an image the cache has not
 * seen, with the model's sessions already warm (any earlier hover or command warmed them); "cached" the same hover
 * again. The very first hover of a session also loads the model: reported apart, without a goal.
 */
import { PreviewService } from '../../src/hover/previewService';
import { renderPreview } from '../../src/hover/renderPreview';
import { InferenceService } from '../../src/inference/service';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, median, timed, type Figure } from './figures';
import { DEMO_MODEL, sampleHover } from './sampleInputs';

const ROUNDS = 9;
const CACHE_BYTES = 64 * 2 ** 20;

/** First, uncached and cached hover latency on the demo model. */
export async function hover(ctx: BenchContext): Promise<Figure[]> {
  log('Hover: the hover preview path on the demo model');
  const service = new InferenceService({ executionProvider: ctx.ep, defaultModelDir: DEMO_MODEL });
  const request = sampleHover(ctx.ep);
  // A fresh cache for each measured hover, so that it renders; the sessions stay warm in `service`.
  const previews = () => new PreviewService((path, caption, settings, signal) => renderPreview(service, path, caption, settings, signal), CACHE_BYTES);
  try {
    const first = await timed(() => previews().preview(request));
    const uncached: number[] = [];
    const cached: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const cache = previews();
      uncached.push(await timed(() => cache.preview(request)));
      cached.push(await timed(async () => {
        const outcome = await cache.preview(request);
        if (outcome.kind !== 'preview' || !outcome.cached) throw new Error('the second identical hover was not served from the cache');
      }));
    }
    const served = await service.model();
    ctx.providersSeen.add(served.executionProvider);
    return [
      goal('Hover, demo model, cached', median(cached), 'ms', { op: '<=', limit: 50 }, 'the same hover again: content hash check and cache hit'),
      goal('Hover, demo model, uncached', median(uncached), 'ms', { op: '<=', limit: 250 }, 'an image the cache has not seen, warm sessions: analysis, zero-shot over 24 labels, two thumbnails'),
      info('Hover, demo model, first of a session', first, 'ms', 'also loads the model folder, builds the taps and creates the sessions'),
    ];
  } finally {
    await service.dispose();
  }
}

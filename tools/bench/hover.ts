/**
 * Hover latency on the demo model, approximated by what a hover would run: the service's analysis of the
 * sample scene with the bundled shapes-clip. There is no hover provider and no result cache yet, so
 * "uncached" is the first call on a fresh service (sessions created) in a warmed-up process, and "cached"
 * a second identical call (warm sessions, everything else computed again).
 */
import { InferenceService } from '../../src/inference/service';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, median, stageFigures, timed, type Figure } from './figures';
import { DEMO_MODEL, SAMPLE_SCENE } from './sampleInputs';

const ROUNDS = 7;
const request = { images: [SAMPLE_SCENE], texts: ['a red circle', 'a blue square'] };

/** Uncached and cached analysis latency on the demo model. */
export async function hover(ctx: BenchContext): Promise<Figure[]> {
  log('Hover: demo model, fresh and warm service');
  const fresh = () => new InferenceService({ executionProvider: ctx.ep, defaultModelDir: DEMO_MODEL });
  // Loads onnxruntime, sharp and the tokenizer library once, as a hover after any earlier use would find them.
  const warmUp = fresh();
  await warmUp.analyze(request);
  await warmUp.dispose();
  const uncached: number[] = [];
  const cached: number[] = [];
  const stages: Record<string, number>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const service = fresh();
    uncached.push(await timed(async () => {
      const result = await service.analyze(request);
      stages.push(result.timings);
      ctx.providersSeen.add(result.model.executionProvider);
    }));
    cached.push(await timed(() => service.analyze(request)));
    await service.dispose();
  }
  return [
    goal('Hover, demo model, cached', median(cached), 'ms', { op: '<=', limit: 50 }, 'no hover provider or result cache yet: a second identical analyze() of scene-1.png on warm sessions'),
    goal('Hover, demo model, uncached', median(uncached), 'ms', { op: '<=', limit: 250 }, 'first analyze() on a fresh service: model folder, taps, sessions, run'),
    ...stageFigures('uncached analyze()', stages),
  ];
}

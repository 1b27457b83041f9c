/**
 * Generation (issue 14 item 10) on a decoder of SmolVLM-256M's real size with random weights (benchVlm): the
 * product's InferenceService.generate (tapped decoder, every tap read, shares, maps and log-probabilities per
 * token) against the plain greedy loop over the untapped graphs (plainGeneration.ts), interleaved round by round
 * on the same prompt, both checked to choose the same tokens; and the peak memory of a fresh process that
 * generates 64 tokens with the raw attention kept (generationChild.ts), against the model's size on disk; and the
 * Ask About Image panel's streaming (streamingChild.ts): from a token's choice to its map drawn in the page, and the
 * memory over a 64-token answer.
 */
import { runChild } from './child';
import type { BenchContext } from './context';
import { log } from './context';
import { benchVlm } from './benchModels';
import { goal, info, median, type Figure } from './figures';
import type { GenerationChildResult } from './generationChild';
import type { StreamingChildResult } from './streamingChild';
import { PlainGeneration, type PlainRun } from './plainGeneration';
import { photoImage } from './sampleInputs';
import { InferenceService } from '../../src/inference/service';

const PROMPT = 'Describe the image.';
/** New tokens per timed run, and timed rounds after one warm-up round. */
const TOKENS = 24;
const ROUNDS = 5;
/** The memory figure's answer length, as the issue sets it. */
const MEMORY_TOKENS = 64;
/** Timed answers of the streaming figure, after a warm-up one. */
const STREAMING_ROUNDS = 5;
/** The streaming memory's reference point: after this many tokens the sessions and the page are warm. */
const STREAMING_EARLY = 8;

/** Tapped and plain figures, medians over the rounds. */
export async function generation(ctx: BenchContext): Promise<Figure[]> {
  log('Generation: writing or reusing the SmolVLM-256M-size synthetic VLM');
  const model = benchVlm(ctx.modelsDir);
  const image = await photoImage(ctx.scratch);
  log(`Generation: peak memory of a fresh process generating ${MEMORY_TOKENS} tokens with attention`);
  const memory = await runChild<GenerationChildResult>('generationChild.ts', [model.dir, image, String(MEMORY_TOKENS), ctx.ep]);
  ctx.providersSeen.add(memory.provider);
  log(`Generation: the Ask panel's page in Chromium, fed as the host feeds it, in a fresh process`);
  const streaming = await runChild<StreamingChildResult>('streamingChild.ts', [model.dir, image, String(MEMORY_TOKENS), String(STREAMING_ROUNDS), ctx.ep]);

  log(`Generation: ${ROUNDS} rounds of ${TOKENS} tokens, tapped (generate) and plain, interleaved`);
  const service = new InferenceService({ executionProvider: ctx.ep, defaultModelDir: model.dir });
  try {
    const plain = await PlainGeneration.open(ctx, model);
    const tapped: PlainRun[] = [];
    const untapped: PlainRun[] = [];
    let promptLength = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const stamps: number[] = [];
      const result = await service.generate({ images: [image], prompt: PROMPT, maxNewTokens: TOKENS }, { onToken: () => stamps.push(performance.now()) });
      const ids = result.generated.map((t) => t.id);
      const embeds = await plain.promptEmbeds(image, result.prompt.ids, result.prompt.imageTokens);
      const baseline = await plain.run(embeds, TOKENS);
      if (ids.join() !== baseline.ids.join()) throw new Error(`generate() chose ${ids.join(' ')}, the plain loop ${baseline.ids.join(' ')}.`);
      if (ids.length !== TOKENS) throw new Error(`generate() stopped after ${ids.length} of ${TOKENS} tokens (${result.stopReason}).`);
      promptLength = result.prompt.ids.length;
      if (round === 0) continue;
      tapped.push({ ids, prefillMs: result.timings.prefillMs, decodeMs: stamps[stamps.length - 1] - stamps[0] });
      untapped.push(baseline);
    }
    return [...figures(model.bytes, promptLength, tapped, untapped, memory, model.options.decoder), ...streamingFigures(streaming)];
  } finally {
    await service.dispose();
  }
}

function figures(bytes: number, promptLength: number, tapped: PlainRun[], untapped: PlainRun[], memory: GenerationChildResult, d: { layers: number; heads: number }): Figure[] {
  const perToken = (runs: PlainRun[]) => median(runs.map((r) => r.decodeMs / (r.ids.length - 1)));
  const prefill = (runs: PlainRun[]) => median(runs.map((r) => r.prefillMs));
  const [tappedToken, plainToken] = [perToken(tapped), perToken(untapped)];
  const [tappedPrefill, plainPrefill] = [prefill(tapped), prefill(untapped)];
  const modelMiB = bytes / 2 ** 20;
  const peak = Math.max(...memory.stages.map((s) => s.peakMiB));
  const taps = `${d.layers} taps of ${d.heads} query heads read`;
  return [
    goal('Generation with taps / without, SmolVLM-256M-size decoder (time per token)', tappedToken / plainToken, 'ratio', { op: '<=', limit: 1.15 },
      `greedy, ${TOKENS} new tokens after a ${promptLength}-token prompt; generate(): ${taps}, shares, maps and top-5 per token; median of ${ROUNDS}`),
    info('  generate(): decoding speed', 1000 / tappedToken, 'tokens/s'),
    info('  plain onnxruntime loop, untapped: decoding speed', 1000 / plainToken, 'tokens/s'),
    goal('Prefill with taps / without, SmolVLM-256M-size decoder', tappedPrefill / plainPrefill, 'ratio', { op: '<=', limit: 1.1 }, `${promptLength} tokens (64 image tokens); ${taps}`),
    info('  prefill, tapped (generate())', tappedPrefill, 'ms'),
    info('  prefill, untapped', plainPrefill, 'ms'),
    goal('Peak RSS / model size, generation with attention', peak / modelMiB, 'ratio', { op: '<=', limit: 2.5 },
      `${memory.generated} new tokens (${memory.stopReason}), raw decoder attention kept and written as JSON, in a fresh process (VmHWM)`),
    info('  SmolVLM-256M-size synthetic VLM files (3 graphs)', modelMiB, 'MiB'),
    ...memory.stages.map((s) => info(`  peak RSS after: ${s.stage}`, s.peakMiB, 'MiB', `RSS now ${Math.round(s.nowMiB)} MiB, of it ${Math.round(s.arrayBuffersMiB)} MiB in JS ArrayBuffers`)),
    info('  generation JSON with attention', memory.jsonBytes / 2 ** 20, 'MiB'),
  ];
}

function streamingFigures(s: StreamingChildResult): Figure[] {
  const [early, last] = [s.rssMiB[STREAMING_EARLY - 1], s.rssMiB[s.rssMiB.length - 1]];
  const later = s.rssMiB.length - STREAMING_EARLY;
  return [
    goal('Ask panel: first token chosen -> its map drawn, SmolVLM-256M-size', median(s.firstTokenToMapMs), 'ms', { op: '<=', limit: 200 },
      `median of ${s.firstTokenToMapMs.length} answers; the token with its map over ${s.imageTokens} image tokens posted to the built page in Chromium, to the frame after it drew; in one process (the extension adds the inference process's IPC hop)`),
    goal(`Ask panel: resident memory after token ${s.rssMiB.length} / after token ${STREAMING_EARLY}`, last / early, 'ratio', { op: '<=', limit: 1.05 },
      `${s.generated} tokens (${s.stopReason}); ${Math.round(early)} -> ${Math.round(last)} MiB, ${((last - early) / Math.max(later, 1)).toFixed(2)} MiB per token after token ${STREAMING_EARLY}`),
  ];
}

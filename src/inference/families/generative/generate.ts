/**
 * Generation with attention, the way transformers.js's generate runs a LLaVA-style model: the prompt through the
 * chat template, each image token expanded to as many tokens as the vision encoder gives features (what
 * LlavaProcessor's expansion computes from the patch grid), the features written over those tokens' embeddings,
 * one prefill pass, then one pass per new token with the KV cache, greedy or seeded top-p sampling, until an end
 * token or the token limit. Each pass's last-query attention (the query that produced the next token) is read by
 * the decoder's taps and reduced to the token's image share per layer and its map over the image tokens.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { mulberry32 } from '../../../analysis/random';
import { attentionShares, imageTokenMaps, type AttentionRows, type SequenceParts } from '../../../analysis/generation/tokenAttention';
import { chooseToken, logSoftmax, topTokens, type SamplingSettings } from '../../../analysis/generation/tokenChoice';
import { badInput } from '../../../core/errors';
import { throwIfCancelled } from '../../../core/progress';
import type { PreprocessedImage } from '../../images/preprocess';
import type { GenerateOptions, GenerateRequest } from '../../tasks/generateRequest';
import { GENERATION_SCHEMA_VERSION, type AttentionFusion, type GeneratedToken, type GenerationResult, type ImageTokens, type PerturbationSummary } from '../../../shared/generationResult';
import { renderPrompt } from './chatPrompt';
import { DEFAULT_RISE_MASKS, tokenPerturbationMaps } from './tokenPerturbation';
import type { LlavaModel } from './llavaModel';

const DEFAULT_MAX_NEW_TOKENS = 32;
const TOP_ALTERNATIVES = 5;

/** Runs the generation (see the file comment). */
export async function generate(model: LlavaModel, request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
  if (request.images.length === 0) throw badInput('No image given.', 'Give an image with --image.');
  const maxNewTokens = request.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens > 0)) throw badInput(`--max-new-tokens must be a whole number above 0, got ${maxNewTokens}.`);
  const { vlm, tokenizer } = model;
  const notices: string[] = [];

  let started = performance.now();
  const encoded: Awaited<ReturnType<LlavaModel['encodeImages']>>[] = [];
  for (const { image } of request.images) {
    throwIfCancelled(options.signal);
    encoded.push(await model.encodeImages(image.pixels, 1, image.outputSize));
  }
  const visionMs = performance.now() - started;

  const prompt = renderPrompt(vlm.chatTemplate, request.prompt, vlm.imageToken, request.images.length, { bosToken: vlm.bosToken, eosToken: vlm.eosToken });
  notices.push(...prompt.notices);
  const startsWithBos = vlm.bosToken !== undefined && vlm.bosToken !== '' && prompt.text.startsWith(vlm.bosToken);
  const textIds = tokenizer.encode(prompt.text, { add_special_tokens: !startsWithBos }).ids;
  const ids: number[] = [];
  const spans: [number, number][] = [];
  for (const id of textIds) {
    if (id !== vlm.imageTokenId) {
      ids.push(id);
      continue;
    }
    const tokens = encoded[spans.length].tokens;
    spans.push([ids.length, ids.length + tokens]);
    for (let i = 0; i < tokens; i++) ids.push(id);
  }
  if (spans.length !== request.images.length) {
    throw badInput(`The tokenized prompt holds the image token ${spans.length} times for ${request.images.length} image(s).`, `Check that tokenizer.json has ${vlm.imageToken} as one added token.`);
  }
  if (ids.length >= vlm.contextLength) {
    throw badInput(`The prompt is ${ids.length} tokens with its image tokens; the model takes at most ${vlm.contextLength}.`, 'Shorten the prompt or give fewer images.');
  }
  const limit = Math.min(maxNewTokens, vlm.contextLength - ids.length);
  if (limit < maxNewTokens) notices.push(`At most ${limit} new tokens fit in the model's ${vlm.contextLength} positions after the ${ids.length}-token prompt.`);

  const { embeds, width } = await model.embed(ids);
  spans.forEach(([start], i) => embeds.set(encoded[i].features.subarray(0, (encoded[i].tokens) * width), start * width));
  const parts: SequenceParts = { images: spans, promptLength: ids.length };
  const layers = model.decoder.taps.length;
  const fusion: AttentionFusion = { heads: request.fusion?.heads ?? 'mean', layers: request.fusion?.layers ?? [0, Math.max(layers - 1, 0)] };
  const sampling: SamplingSettings | undefined = request.sampling && { ...request.sampling, random: mulberry32(request.sampling.seed) };

  const generated: GeneratedToken[] = [];
  const rawAttention: number[][][][] = [];
  const decodeMs: number[] = [];
  let stopReason: GenerationResult['stopReason'] = 'maxNewTokens';
  started = performance.now();
  let pass = await model.decode(embeds, ids.length, 0, undefined);
  const prefillMs = performance.now() - started;
  const sequence = [...ids];
  for (let k = 0; k < limit; k++) {
    const logprobs = logSoftmax(pass.logits);
    const id = chooseToken(pass.logits, sampling);
    const answerBefore = decodeAnswer(tokenizer, sequence.slice(ids.length));
    sequence.push(id);
    const answer = decodeAnswer(tokenizer, sequence.slice(ids.length));
    const rows: AttentionRows = { heads: pass.heads, keys: pass.keys, rows: pass.attention };
    const shares = pass.attention.length > 0 ? attentionShares(rows, parts) : undefined;
    const token: GeneratedToken = {
      id,
      text: answer.startsWith(answerBefore) ? answer.slice(answerBefore.length) : tokenizer.decode([id], { skip_special_tokens: true }),
      logprob: logprobs[id],
      imageShare: shares?.image ?? [],
      shares,
      map: shares ? imageTokenMaps(rows, parts, fusion).map((m) => Array.from(m)) : [],
      top: topTokens(logprobs, TOP_ALTERNATIVES).map((t) => ({ ...t, text: tokenizer.decode([t.id], { skip_special_tokens: false }) })),
    };
    generated.push(token);
    if (request.includeAttention) rawAttention.push(pass.attention.map((row) => Array.from({ length: pass.heads }, (_, h) => Array.from(row.subarray(h * pass.keys, (h + 1) * pass.keys)))));
    options.onToken?.(token, k);
    if (vlm.endTokenIds.includes(id)) {
      stopReason = 'endToken';
      break;
    }
    if (k === limit - 1) break;
    throwIfCancelled(options.signal);
    started = performance.now();
    const next = await model.embed([id]);
    pass = await model.decode(next.embeds, 1, sequence.length - 1, pass.presents);
    decodeMs.push(performance.now() - started);
  }

  const images: ImageTokens[] = request.images.map(({ path, image }, i) => imageTokens(path, image, spans[i], model.folder.config.vision.patchSize));
  let perturbation: PerturbationSummary | undefined;
  let perturbationMs: number | undefined;
  if (request.perturbation && generated.length > 0) {
    started = performance.now();
    const answer = generated.map((t) => t.id);
    const forcedIds = [...ids, ...answer.slice(0, -1)];
    const forced = (await model.embed(forcedIds)).embeds;
    forced.set(embeds);
    const teacher = { embeds: forced, rows: forcedIds.length, spans, answer, vocab: pass.logits.length };
    let forwardPasses = 0;
    for (const [i, { image }] of request.images.entries()) {
      const maps = await tokenPerturbationMaps(model, teacher, { ...image, rows: images[i].rows, cols: images[i].cols }, i, request.perturbation, options);
      maps.maps.forEach((map, k) => (generated[k].perturbationMap ??= []).push(Array.from(map)));
      forwardPasses += maps.forwardPasses;
    }
    const { method, seed } = request.perturbation;
    perturbation = method === 'occlusion'
      ? { method, score: 'logprobDrop', forwardPasses }
      : { method, score: 'probability', forwardPasses, masks: request.perturbation.masks ?? DEFAULT_RISE_MASKS, seed: seed ?? 0 };
    perturbationMs = performance.now() - started;
  }
  return {
    schemaVersion: GENERATION_SCHEMA_VERSION,
    model: { name: model.folder.name, dir: model.folder.dir, architecture: model.family, family: model.vlmFamily, executionProvider: model.executionProvider, notices },
    prompt: { text: prompt.text, ids, imageTokens: spans[0] },
    images,
    generated,
    answer: decodeAnswer(tokenizer, sequence.slice(ids.length)),
    stopReason,
    decoding: sampling ? { mode: 'sample', maxNewTokens, ...request.sampling! } : { mode: 'greedy', maxNewTokens },
    fusion,
    attentionObserved: layers > 0 ? { available: true } : { available: false, reason: model.unobservedAttention },
    ...(perturbation ? { perturbation } : {}),
    ...(request.includeAttention ? { attention: { decoder: rawAttention } } : {}),
    timings: { visionMs, prefillMs, decodeMs, ...(perturbationMs !== undefined ? { perturbationMs } : {}) },
  };
}

/** The answer's text: its tokens decoded together, special tokens left out ('' for none: the library refuses an empty list). */
function decodeAnswer(tokenizer: Tokenizer, ids: number[]): string {
  return ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: true });
}

/** An image's token span laid on its patch grid: LLaVA's image tokens are the vision tower's patches, row-major. */
function imageTokens(path: string, image: PreprocessedImage, span: [number, number], patchSize: number): ImageTokens {
  const { width, height } = image.outputSize;
  const tokens = span[1] - span[0];
  let [rows, cols] = [Math.floor(height / patchSize), Math.floor(width / patchSize)];
  if (rows * cols !== tokens) [rows, cols] = [1, tokens];
  const [cellWidth, cellHeight] = [width / cols, height / rows];
  const regions = Array.from({ length: tokens }, (_, i): [number, number, number, number] => {
    const [r, c] = [Math.floor(i / cols), i % cols];
    return [c * cellWidth, r * cellHeight, (c + 1) * cellWidth, (r + 1) * cellHeight];
  });
  return { path, width: image.width, height: image.height, inputSize: { width, height }, span, rows, cols, regions };
}

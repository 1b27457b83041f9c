/**
 * Generation with attention, the way transformers.js's generate runs an image-text-to-text model: the prompt
 * through the chat template, each image token expanded as the family's processor expands it (imagePlacement.ts),
 * the vision encoder's features written over the image tokens' embeddings in order, one prefill pass, then one pass per new token with the KV cache, greedy or seeded top-p sampling, until an end
 * token or the token limit. Each pass's last-query attention (the query that produced the next token) is read by
 * the decoder's taps and reduced to the token's image share per layer and its map over the image tokens.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { mulberry32 } from '../../../analysis/random';
import { attentionShares, imageTokenMaps, type AttentionRows, type SequenceParts } from '../../../analysis/generation/tokenAttention';
import { chooseToken, logSoftmax, topTokens, type SamplingSettings } from '../../../analysis/generation/tokenChoice';
import { badInput } from '../../../core/errors';
import { throwIfCancelled } from '../../../core/progress';
import type { GenerateOptions, GenerateRequest } from '../../tasks/generateRequest';
import { GENERATION_SCHEMA_VERSION, type AttentionFusion, type GeneratedToken, type GenerationResult, type ImageTokens, type PerturbationSummary } from '../../../shared/generationResult';
import { encodeChecked } from '../../model/tokenize';
import { renderPrompt } from './chatPrompt';
import { DEFAULT_RISE_MASKS, tokenPerturbationMaps } from './tokenPerturbation';
import type { GenerativeModel } from './generativeModel';

const DEFAULT_MAX_NEW_TOKENS = 32;
const TOP_ALTERNATIVES = 5;

/** Runs the generation (see the file comment). */
export async function generate(model: GenerativeModel, request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
  if (request.images.length === 0) throw badInput('No image given.', 'Give an image with --image.');
  const maxNewTokens = request.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens > 0)) throw badInput(`--max-new-tokens must be a whole number above 0, got ${maxNewTokens}.`);
  const { vlm, tokenizer } = model;
  const notices: string[] = [];

  let started = performance.now();
  const encoded: Awaited<ReturnType<GenerativeModel['encodeImages']>>[] = [];
  for (const { image } of request.images) {
    throwIfCancelled(options.signal);
    encoded.push(await model.encodeImages(image.pixels, 1, image));
  }
  const visionMs = performance.now() - started;

  const prompt = renderPrompt(vlm.chatTemplate, request.prompt, vlm.imageToken, request.images.length, { bosToken: vlm.bosToken, eosToken: vlm.eosToken });
  notices.push(...prompt.notices);
  // The processor's expansion: each image token becomes the family's text for that image (transformers.js's _call).
  const expanded = prompt.text.split(vlm.imageToken).reduce((text, part, i) => text + model.placement.promptText(request.images[i - 1].image, encoded[i - 1].tokens) + part);
  const startsWithBos = vlm.bosToken !== undefined && vlm.bosToken !== '' && expanded.startsWith(vlm.bosToken);
  const { ids } = encodeChecked(tokenizer, expanded, !startsWithBos);
  const imagePositions = ids.flatMap((id, i) => (id === vlm.imageTokenId ? [i] : []));
  const expected = encoded.reduce((sum, e) => sum + e.tokens, 0);
  if (imagePositions.length !== expected) {
    throw badInput(`The tokenized prompt holds ${imagePositions.length} image tokens where the ${request.images.length} image(s) give ${expected} features.`, `Check that tokenizer.json has ${vlm.imageToken} as one added token.`);
  }
  let first = 0;
  const positions = encoded.map((e) => imagePositions.slice(first, (first += e.tokens)));
  if (ids.length >= vlm.contextLength) {
    throw badInput(`The prompt is ${ids.length} tokens with its image tokens; the model takes at most ${vlm.contextLength}.`, 'Shorten the prompt or give fewer images.');
  }
  const limit = Math.min(maxNewTokens, vlm.contextLength - ids.length);
  if (limit < maxNewTokens) notices.push(`At most ${limit} new tokens fit in the model's ${vlm.contextLength} positions after the ${ids.length}-token prompt.`);

  const { embeds, width } = await model.embed(ids);
  positions.forEach((places, i) => places.forEach((place, t) => embeds.set(encoded[i].features.subarray(t * width, (t + 1) * width), place * width)));
  const parts: SequenceParts = { images: positions, promptLength: ids.length };
  const layers = model.decoder.taps.length;
  const fusion: AttentionFusion = { heads: request.fusion?.heads ?? 'mean', layers: request.fusion?.layers ?? [0, Math.max(layers - 1, 0)] };
  const sampling: SamplingSettings | undefined = request.sampling && { ...request.sampling, random: mulberry32(request.sampling.seed) };

  const images: ImageTokens[] = request.images.map(({ path, image }, i) => model.placement.layout(path, image, positions[i]));
  options.onImages?.(images);
  const generated: GeneratedToken[] = [];
  const rawAttention: number[][][][] = [];
  const decodeMs: number[] = [];
  let stopReason: GenerationResult['stopReason'] = 'maxNewTokens';
  started = performance.now();
  const rope = model.placement.ropePositions?.(ids, request.images.map((i) => i.image));
  let pass = await model.decode(embeds, ids.length, 0, undefined, rope?.rows);
  const prefillMs = performance.now() - started;
  const sequence = [...ids];
  let answerSoFar = '';
  for (let k = 0; k < limit; k++) {
    const logprobs = logSoftmax(pass.logits);
    const id = chooseToken(pass.logits, sampling);
    sequence.push(id);
    const answer = decodeAnswer(tokenizer, sequence.slice(ids.length));
    const rows: AttentionRows = { heads: pass.heads, keys: pass.keys, rows: pass.attention };
    const shares = pass.attention.length > 0 ? attentionShares(rows, parts) : undefined;
    const token: GeneratedToken = {
      id,
      text: answer.startsWith(answerSoFar) ? answer.slice(answerSoFar.length) : tokenizer.decode([id], { skip_special_tokens: true }),
      logprob: logprobs[id],
      imageShare: shares?.image ?? [],
      shares,
      map: shares ? imageTokenMaps(rows, parts, fusion).map((m) => Array.from(m)) : [],
      top: topTokens(logprobs, TOP_ALTERNATIVES).map((t) => ({ ...t, text: tokenizer.decode([t.id], { skip_special_tokens: false }) })),
    };
    generated.push(token);
    answerSoFar = answer;
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
    const at = sequence.length - 1;
    pass = await model.decode(next.embeds, 1, at, pass.presents, rope && [[at + rope.delta], [at + rope.delta], [at + rope.delta]]);
    decodeMs.push(performance.now() - started);
  }

  let perturbation: PerturbationSummary | undefined;
  let perturbationMs: number | undefined;
  if (request.perturbation && generated.length > 0) {
    started = performance.now();
    const answer = generated.map((t) => t.id);
    // The prompt's embeddings (images in place) are those of the generation; only the answer's are new.
    const forcedIds = [...ids, ...answer.slice(0, -1)];
    const forced = new Float32Array(forcedIds.length * width);
    forced.set(embeds);
    if (answer.length > 1) forced.set((await model.embed(answer.slice(0, -1))).embeds, embeds.length);
    // The answer's tokens sit at their index plus the rope delta, in all three rows.
    const ropeRows = rope?.rows.map((row) => [...row, ...answer.slice(0, -1).map((_, k) => ids.length + k + rope.delta)]);
    const teacher = { embeds: forced, rows: forcedIds.length, positions, answer, vocab: pass.logits.length, ropeRows };
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
    prompt: { text: expanded, ids, imageTokens: images[0].span },
    images,
    generated,
    answer: answerSoFar,
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

/**
 * The generative VLM adapter, in transformers.js's layout and conventions (models/llava, models/idefics3,
 * modeling_utils.js): the vision encoder turns each image into image_features (its tokens already projected into
 * the decoder's width), embed_tokens turns the prompt's ids into inputs_embeds, the features replace the image
 * tokens' rows one for one, and the merged decoder runs with attention_mask, position_ids (cumulative, from 0) and
 * the KV cache (empty, [batch, kv heads, 0, head dim], at the first step; use_cache_branch false then, true after,
 * when the decoder is Optimum's If-merged one). The decoder is tapped, inside its If branches too. How an image
 * becomes tokens is the family's (imagePlacement.ts). This family only generates: the image-text scoring
 * operations say so. The loop is in generate.ts.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import type { Tensor } from 'onnxruntime-node';
import { badInput, badModel } from '../../../core/errors';
import type { PreprocessedImage } from '../../images/preprocess';
import type { ModelFolder } from '../../model/modelFolder';
import { openTokenizer } from '../../model/tokenize';
import { DataType } from '../../onnx/onnxTypes';
import { checkImageSize, findInput, fixedDim } from '../../runtime/graphInputs';
import { floatData, intTensor, outputNamed } from '../../runtime/graphIo';
import { loadOrt, type OpenSession, type OrtModule, type SessionCache } from '../../runtime/sessions';
import { TappedGraph } from '../../runtime/tappedGraph';
import type { InspectResult } from '../../tasks/inspect';
import { probesUnavailable } from '../../tasks/probe';
import type { ModelAdapter, ModelCapabilities } from '../adapter';
import type { GenerateOptions, GenerateRequest } from '../../tasks/generateRequest';
import { generate } from './generate';
import { inspectGenerative } from './inspectGenerative';
import type { ImagePlacement } from './imagePlacement';
import { readVlmConfig, type VlmConfig } from './vlmConfig';
import type { GenerationResult } from '../../../shared/generationResult';

/** What a generative VLM can do: write text about images; its maps are per generated token (`generate`). */
const CAPABILITIES: ModelCapabilities = {
  similarity: false,
  imageTextMatching: false,
  generation: true,
  attention: 'joint',
  denseMaps: { available: false, reason: 'a generative model has no joint embedding space; its maps are per generated token (mmlens generate)' },
  valuePath: { available: false, reason: 'a generative model has no value path into a joint embedding space' },
  probes: { available: false, reason: 'they score image-text pairs, which a generative model does not; use mmlens generate' },
};

/** The decoder's past inputs and how an empty past is shaped. */
export interface PastLayout {
  /** [past input name, present output name] pairs, in the decoder's input order. */
  names: [string, string][];
  kvHeads: number;
  headDim: number;
  elemType: number;
}

/** One decoder pass's outputs: the last position's logits, the presents and the attention of its last query. */
export interface DecoderPass {
  logits: Float32Array;
  presents: Record<string, Tensor>;
  /** Per layer, heads x keys: the last query's attention; empty when the decoder's attention is not observable. */
  attention: Float32Array[];
  heads: number;
  keys: number;
}

/** A loaded generative model. */
export class GenerativeModel implements ModelAdapter {
  readonly family = 'generative';
  readonly capabilities = CAPABILITIES;

  private constructor(
    readonly folder: ModelFolder,
    readonly placement: ImagePlacement,
    readonly vision: TappedGraph,
    readonly embedding: TappedGraph,
    readonly decoder: TappedGraph,
    readonly tokenizer: Tokenizer,
    readonly vlm: VlmConfig,
    readonly past: PastLayout,
    private readonly sessions: { vision: OpenSession; embedding: OpenSession; decoder: OpenSession },
    private readonly ort: OrtModule,
  ) {}

  /** Loads the three graphs, taps the decoder and opens the sessions; `placement` makes the family's image handling. */
  static async open(folder: ModelFolder, cache: SessionCache, placement: PlacementFactory): Promise<GenerativeModel> {
    const { visionEncoder, embedTokens, decoder: decoderFile } = folder.files;
    const [vision, embedding, decoder] = await Promise.all([visionEncoder!, embedTokens!, decoderFile!].map((file) => TappedGraph.load(file)));
    const tokenizer = openTokenizer(folder);
    const vlm = await readVlmConfig(folder, tokenizer);
    const fix = 'Use the graphs of a transformers.js export: vision_encoder.onnx -> image_features, embed_tokens.onnx -> inputs_embeds, decoder_model_merged.onnx -> logits and present.N.key / .value.';
    for (const [graph, output] of [[vision, 'image_features'], [embedding, 'inputs_embeds'], [decoder, 'logits']] as const) outputNamed(graph, [output], fix);
    const past = pastLayout(decoder);
    // Only the last query chooses the next token: a prefill's whole attention is queries times larger.
    decoder.keepLastQuery();
    const [visionSession, embeddingSession, decoderSession] = await Promise.all([vision.open(cache, vision.file), embedding.open(cache, `${embedding.file}#plain`), decoder.open(cache, decoder.file)]);
    const ort = await loadOrt();
    const images = placement({ ort, folder, vlm, visionFile: vision.file });
    return new GenerativeModel(folder, images, vision, embedding, decoder, tokenizer, vlm, past, { vision: visionSession, embedding: embeddingSession, decoder: decoderSession }, ort);
  }

  /** The family within generative models, as inspect and results name it. */
  get vlmFamily(): string {
    return this.placement.family;
  }

  /** The image (a path or file bytes) as this family's processor prepares it (the service preprocesses through this). */
  preprocessImage(source: string | Uint8Array, maxPixels?: number): Promise<PreprocessedImage> {
    return this.placement.preprocess(source, maxPixels);
  }

  /** The providers that run the graphs (the decoder's). */
  get executionProvider(): string {
    return this.sessions.decoder.provider;
  }

  /** Why the decoder's attention cannot be read, when it cannot. */
  get unobservedAttention(): string | undefined {
    if (this.decoder.taps.length > 0) return undefined;
    if (this.decoder.unobservedBranches) return this.decoder.unobservedBranches;
    return this.decoder.fusedOperators.length > 0
      ? `the decoder computes attention inside fused operators (${this.decoder.fusedOperators.join(', ')}), which do not expose their probabilities`
      : 'no attention softmax was found in the decoder';
  }

  /** Writes an answer about the images (generate.ts). */
  generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    return generate(this, request, options);
  }

  /** The image tokens of `count` images of `image`'s form laid one after another in `pixels`: image_features [.., tokens, width]. */
  async encodeImages(pixels: Float32Array, count: number, image: PreprocessedImage): Promise<{ features: Float32Array; tokens: number; width: number }> {
    const input = findInput(this.vision.file, this.vision.graph.inputs, 'pixel_values', (i) => i.elemType === DataType.FLOAT, 'pixel');
    checkImageSize(this.vision.file, { ...input, shape: input.shape?.slice(-4) }, image.outputSize);
    const outputs = await this.vision.fetch(this.sessions.vision, this.placement.encoderFeeds(pixels, count, image, this.vision.graph.inputs), ['image_features']);
    const { dims } = outputs.image_features;
    const features = floatData(outputs, 'image_features', this.vision.file);
    const width = dims[dims.length - 1];
    return { features, tokens: features.length / (count * width), width };
  }

  /** inputs_embeds [ids.length, width] of `ids`. */
  async embed(ids: number[]): Promise<{ embeds: Float32Array; width: number }> {
    const input = this.embedding.graph.inputs[0];
    const outputs = await this.embedding.fetch(this.sessions.embedding, { [input.name]: intTensor(this.ort, BigInt64Array.from(ids, BigInt), input, [1, ids.length]) });
    const embeds = outputs.inputs_embeds;
    if (embeds.type !== 'float32') {
      throw badModel(this.embedding.file, `gives ${embeds.type} embeddings; only float32 decoders are supported so far`, 'Use the fp32 graphs (--variant fp32), or the _quantized ones.');
    }
    return { embeds: embeds.data as Float32Array, width: embeds.dims[embeds.dims.length - 1] };
  }

  /**
   * One decoder pass over `embeds` (positions [start, start + rows)) after `past` (none at the first step), with
   * the attention of its last query. The sequence is one item with no padding: the mask is all ones and the
   * positions count from 0, unless `positions` gives a decoder's multimodal rows ([3][rows], Qwen2-VL).
   */
  async decode(embeds: Float32Array, rows: number, start: number, past: Record<string, Tensor> | undefined, positions?: number[][]): Promise<DecoderPass> {
    const { outputs, attention } = await this.decoder.run(this.sessions.decoder, this.decoderFeeds(embeds, 1, rows, start, past, 1, positions), 1);
    const vocab = outputs.logits.dims[outputs.logits.dims.length - 1];
    const logits = floatData(outputs, 'logits', this.decoder.file, outputs.logits.data.length - vocab);
    const presents = Object.fromEntries(this.past.names.map(([, present]) => [present, outputs[present]]));
    const heads = attention[0]?.heads ?? 0;
    const rowsOf = attention.map((layer) => {
      const row = new Float32Array(layer.heads * layer.keys);
      for (let h = 0; h < layer.heads; h++) {
        const from = (h * layer.queries + layer.queries - 1) * layer.keys;
        row.set(layer.data.subarray(from, from + layer.keys), h * layer.keys);
      }
      return row;
    });
    return { logits: Float32Array.from(logits.subarray(logits.length - vocab)), presents, attention: rowsOf, heads, keys: start + rows };
  }

  /**
   * Teacher forcing: `batch` sequences of `rows` positions each (embeds laid one after another) in one pass from an
   * empty past, without reading attention; the logits of each sequence's last `keep` positions, [batch, keep, vocab].
   * `positions` are a multimodal decoder's rows, as for `decode`.
   */
  async lastLogits(embeds: Float32Array, batch: number, rows: number, keep: number, positions?: number[][]): Promise<{ logits: Float32Array; vocab: number }> {
    const outputs = await this.decoder.fetch(this.sessions.decoder, this.decoderFeeds(embeds, batch, rows, 0, undefined, keep, positions), ['logits']);
    const all = floatData(outputs, 'logits', this.decoder.file);
    const { dims } = outputs.logits;
    const [returned, vocab] = [dims[1], dims[2]];
    if (returned === keep) return { logits: all, vocab };
    const logits = new Float32Array(batch * keep * vocab);
    for (let b = 0; b < batch; b++) logits.set(all.subarray((b * returned + returned - keep) * vocab, (b + 1) * returned * vocab), b * keep * vocab);
    return { logits, vocab };
  }

  /**
   * The decoder's inputs for `batch` unpadded sequences of `rows` new positions from `start`, keeping the last `keep`
   * logits; `positions` ([3][rows]) are the rows of a decoder that takes position_ids [3, batch, rows].
   */
  private decoderFeeds(embeds: Float32Array, batch: number, rows: number, start: number, past: Record<string, Tensor> | undefined, keep: number, positions?: number[][]): Record<string, Tensor> {
    const { ort } = this;
    const width = embeds.length / (batch * rows);
    const total = start + rows;
    const input = (name: string) => this.decoder.graph.inputs.find((i) => i.name === name);
    const feeds: Record<string, Tensor> = { inputs_embeds: new ort.Tensor('float32', embeds, [batch, rows, width]) };
    const mask = input('attention_mask');
    if (mask) feeds.attention_mask = intTensor(ort, new BigInt64Array(batch * total).fill(1n), mask, [batch, total]);
    const positionInput = input('position_ids');
    if (positionInput && positions) {
      const values = positions.flatMap((row) => Array.from({ length: batch }, () => row).flat());
      feeds.position_ids = intTensor(ort, BigInt64Array.from(values, BigInt), positionInput, [positions.length, batch, rows]);
    } else if (positionInput) {
      feeds.position_ids = intTensor(ort, BigInt64Array.from({ length: batch * rows }, (_, i) => BigInt(start + (i % rows))), positionInput, [batch, rows]);
    }
    for (const [pastName, presentName] of this.past.names) feeds[pastName] = past?.[presentName] ?? emptyPast(ort, this.past, batch);
    if (input('use_cache_branch')) feeds.use_cache_branch = new ort.Tensor('bool', [past !== undefined], [1]);
    if (input('num_logits_to_keep')) feeds.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.from([BigInt(keep)]), []);
    return feeds;
  }

  /** The folder's graphs, taps and image tokens, from one short generation on a blank image. */
  inspect(notices: string[]): Promise<InspectResult> {
    return inspectGenerative(this, notices);
  }

  analyze(): Promise<never> {
    return Promise.reject(scoringOnly(this, 'Image-text analysis'));
  }

  zeroShotScores(): Promise<never> {
    return Promise.reject(scoringOnly(this, 'Zero-shot classification'));
  }

  probe(): Promise<never> {
    return Promise.reject(probesUnavailable(this));
  }

  perturbationGrid(): never {
    throw scoringOnly(this, 'Occlusion of an image-text score');
  }

  defaultScoreKind(): never {
    throw scoringOnly(this, 'Occlusion of an image-text score');
  }

  perturbationScore(): Promise<never> {
    return Promise.reject(scoringOnly(this, 'Occlusion of an image-text score'));
  }
}

/** What a family's image handling is made from. */
export type PlacementFactory = (parts: { ort: OrtModule; folder: ModelFolder; vlm: VlmConfig; visionFile: string }) => ImagePlacement;

/** The error for an image-text scoring operation asked of a generative model. */
function scoringOnly(model: GenerativeModel, operation: string) {
  return badInput(
    `${operation} needs a model that scores image-text pairs; ${model.folder.name} is a generative model (it writes text about images).`,
    'Use `mmlens generate` with this model, or choose a CLIP-like, ViLT-like or BLIP model for this.',
  );
}

/** The decoder's past inputs, paired with their present outputs, and the shape of an empty past. */
function pastLayout(decoder: TappedGraph): PastLayout {
  const pasts = decoder.graph.inputs.filter((i) => i.name.startsWith('past_key_values.'));
  const names = pasts.map((i): [string, string] => [i.name, i.name.replace('past_key_values', 'present')]);
  const missing = names.find(([, present]) => !decoder.graph.outputs.some((o) => o.name === present));
  if (pasts.length === 0 || missing) {
    throw badModel(decoder.file, missing ? `has the input ${missing[0]} but no ${missing[1]} output` : 'has no past_key_values inputs (a decoder without a KV cache)', 'Use decoder_model_merged.onnx of a transformers.js or Optimum export with past (`--task image-text-to-text-with-past`).');
  }
  const [kvHeads, headDim] = [fixedDim(pasts[0], 1), fixedDim(pasts[0], 3)];
  if (kvHeads === undefined || headDim === undefined) {
    throw badModel(decoder.file, `declares ${pasts[0].name} without a fixed number of key/value heads and head size`, 'Export the decoder with those dimensions fixed, as Optimum and transformers.js do.');
  }
  return { names, kvHeads, headDim, elemType: pasts[0].elemType ?? DataType.FLOAT };
}

function emptyPast(ort: OrtModule, past: PastLayout, batch: number): Tensor {
  const dims = [batch, past.kvHeads, 0, past.headDim];
  return past.elemType === DataType.FLOAT16 ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims);
}

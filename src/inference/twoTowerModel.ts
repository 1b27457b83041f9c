/**
 * The two-tower adapter (CLIP, SigLIP layout): a vision graph and a text graph, each tapped for attention;
 * the vision graph also gets dense patch embeddings (its own final norm and projection applied to every
 * token). Many images and texts per call, batched.
 */
import type { Tensor } from 'onnxruntime-node';
import { badModel } from './errors';
import { fixedDim, findInput, isIdsInput, isPixelInput } from './graphInputs';
import { chunkSize, floatData, intTensor, outputNamed } from './graphIo';
import type { ModelFolder } from './modelFolder';
import { planDenseProjection } from './onnx/surgery';
import type { OnnxValueInfo } from './onnx/onnxTypes';
import type { PreprocessedImage } from './preprocess';
import type { LongRunOptions } from './progress';
import { loadOrt, type OpenSession, type SessionCache } from './sessions';
import { TappedGraph, type LayerAttention } from './tappedGraph';
import { loadTokenizer, type EncodedBatch, type TextTokenizer } from './tokenize';
import { runInChunks } from './batching';

/** Embeddings (items x dim) and per-layer attention of one tower for a batch of items. */
export interface TowerOutput {
  embeds: Float32Array;
  dim: number;
  attention: LayerAttention[];
}

/** The vision tower's output; `dense` is items x tokens x dim in the joint space, when the graph allows. */
export interface VisionOutput extends TowerOutput {
  dense?: Float32Array;
  tokens: number;
}

/** The text tower's output with the batch it encoded. */
export interface TextOutput extends TowerOutput {
  batch: EncodedBatch;
}

/** A loaded two-tower model. */
export class TwoTowerModel {
  private constructor(
    readonly folder: ModelFolder,
    readonly vision: TappedGraph,
    readonly text: TappedGraph,
    readonly tokenizer: TextTokenizer,
    /** Why dense patch embeddings are unavailable, when they are. */
    readonly denseUnavailable: string | undefined,
    private readonly sessions: { vision: OpenSession; text: OpenSession },
  ) {}

  /** Loads both graphs, plans taps and dense embeddings, and opens sessions through `cache`. */
  static async open(folder: ModelFolder, cache: SessionCache): Promise<TwoTowerModel> {
    if (!folder.files.vision || !folder.files.text) {
      throw badModel(folder.dir, 'has no onnx/vision_model.onnx + onnx/text_model.onnx pair', 'Export the towers separately (transformers.js or `optimum-cli export onnx` layout).');
    }
    const [vision, text] = await Promise.all([TappedGraph.load(folder.files.vision), TappedGraph.load(folder.files.text)]);
    const dense = planDenseProjection(vision.graph, outputName(vision, 'image_embeds'), outputName(vision, 'last_hidden_state'));
    if (dense.plan) vision.add({ outputs: [dense.plan.output], nodes: dense.plan.nodes });
    const [visionSession, textSession] = await Promise.all([vision.open(cache, vision.file), text.open(cache, text.file)]);
    return new TwoTowerModel(folder, vision, text, loadTokenizer(folder), dense.reason, { vision: visionSession, text: textSession });
  }

  /** The providers that run the towers (one name when both agree). */
  get executionProvider(): string {
    const { vision, text } = this.sessions;
    return vision.provider === text.provider ? vision.provider : `${vision.provider} (vision), ${text.provider} (text)`;
  }

  /** Runs the vision tower on preprocessed images of equal size. */
  async encodeImages(images: PreprocessedImage[], options: LongRunOptions = {}): Promise<VisionOutput> {
    const ort = await loadOrt();
    const input = findInput(this.vision.file, this.vision.graph.inputs, 'pixel_values', isPixelInput, 'pixel (float, rank 4)');
    const embedsName = outputName(this.vision, 'image_embeds');
    const denseName = this.denseUnavailable === undefined ? 'mmlens_dense_embeds' : undefined;
    const { height, width } = images[0].outputSize;
    const plane = 3 * height * width;
    const result = await runInChunks(images.length, chunkSize(input), 'vision', async (start, end) => {
      const pixels = new Float32Array((end - start) * plane);
      images.slice(start, end).forEach((img, i) => pixels.set(img.pixels, i * plane));
      const feeds = { [input.name]: new ort.Tensor('float32', pixels, [end - start, 3, height, width]) };
      const { outputs, attention } = await this.vision.run(this.sessions.vision, feeds, end - start);
      const floats: Record<string, Float32Array> = { embeds: floatData(outputs, embedsName) };
      if (denseName) floats.dense = floatData(outputs, denseName);
      return { floats, attention };
    }, options);
    const dim = result.floats.embeds.length / images.length;
    const tokens = result.floats.dense ? result.floats.dense.length / images.length / dim : result.attention[0]?.queries ?? 0;
    return { embeds: result.floats.embeds, dim, dense: result.floats.dense, tokens, attention: result.attention };
  }

  /** Tokenises and runs the text tower. */
  async encodeTexts(texts: string[], options: LongRunOptions = {}): Promise<TextOutput> {
    const ort = await loadOrt();
    const inputs = this.text.graph.inputs;
    const idsInput = findInput(this.text.file, inputs, 'input_ids', isIdsInput, 'token ids (integer, rank 2)');
    const maskInput = inputs.find((i) => i.name === 'attention_mask');
    const batch = this.tokenizer.encodeBatch(texts, { padTo: fixedDim(idsInput, 1) });
    const embedsName = outputName(this.text, 'text_embeds');
    const length = batch.length;
    const result = await runInChunks(texts.length, chunkSize(idsInput), 'text', async (start, end) => {
      const rows = (data: BigInt64Array, input: OnnxValueInfo) => intTensor(ort, data.subarray(start * length, end * length), input, [end - start, length]);
      const feeds: Record<string, Tensor> = { [idsInput.name]: rows(batch.ids, idsInput) };
      if (maskInput) feeds[maskInput.name] = rows(batch.attentionMask, maskInput);
      const { outputs, attention } = await this.text.run(this.sessions.text, feeds, end - start);
      return { floats: { embeds: floatData(outputs, embedsName) }, attention };
    }, options);
    return { embeds: result.floats.embeds, dim: result.floats.embeds.length / texts.length, attention: result.attention, batch };
  }
}

/** The output called `preferred`, or a badModel error listing the outputs there are. */
function outputName(graph: TappedGraph, preferred: string): string {
  return outputNamed(graph, [preferred], 'Export the tower with its projection (CLIPVisionModelWithProjection / CLIPTextModelWithProjection), as transformers.js and Optimum do.');
}

/**
 * The generation figures' baseline: what a plain runtime does with a VLM folder. The greedy KV-cache loop of
 * transformers.js over the untapped graphs, run directly with onnxruntime-node (no taps, no shares, no maps, no
 * log-probabilities): one prefill pass over the prompt's embeddings, then per token an argmax, embed_tokens on
 * it and one decoder pass with the presents of the pass before.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { loadModelFolder } from '../../src/inference/model/modelFolder';
import { preprocessImage } from '../../src/inference/images/preprocess';
import { loadOrt, type OrtModule } from '../../src/inference/runtime/sessions';
import type { BenchVlm } from './benchModels';
import type { BenchContext } from './context';

/** One run of the loop: its tokens and the time of each phase. */
export interface PlainRun {
  ids: number[];
  /** The prefill pass. */
  prefillMs: number;
  /** From the first token chosen to the last: ids.length - 1 steps. */
  decodeMs: number;
}

/** The untapped sessions of a VLM folder and the loop over them. */
export class PlainGeneration {
  private constructor(
    private readonly ort: OrtModule,
    private readonly model: BenchVlm,
    private readonly vision: InferenceSession,
    private readonly embed: InferenceSession,
    private readonly decoder: InferenceSession,
  ) {}

  /** Opens the three graphs as they are, through the benchmark's session cache. */
  static async open(ctx: BenchContext, model: BenchVlm): Promise<PlainGeneration> {
    const { visionEncoder, embedTokens, decoder } = model.files;
    const [v, e, d] = await Promise.all([visionEncoder, embedTokens, decoder].map((file) => ctx.untapped(file)));
    return new PlainGeneration(await loadOrt(), model, v.session, e.session, d.session);
  }

  /** The prompt's embeddings with `image`'s features over the image tokens `span` (not timed: the loop starts after). */
  async promptEmbeds(image: string, ids: number[], span: [number, number]): Promise<Float32Array> {
    const { ort } = this;
    const folder = await loadModelFolder(this.model.dir);
    const { pixels, outputSize } = await preprocessImage(image, folder.preprocessor);
    const features = (await this.vision.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, outputSize.height, outputSize.width]) })).image_features.data as Float32Array;
    const embeds = Float32Array.from((await this.embedIds(ids)).data as Float32Array);
    embeds.set(features, span[0] * this.model.options.decoder.hidden);
    return embeds;
  }

  /** The greedy loop from `embeds` (the prompt) for `steps` new tokens. */
  async run(embeds: Float32Array, steps: number): Promise<PlainRun> {
    const { ort } = this;
    const { hidden, vocab, layers, kvHeads, headDim } = this.model.options.decoder;
    const empty = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    let past: Record<string, Tensor> = {};
    for (let i = 0; i < layers; i++) past[`past_key_values.${i}.key`] = past[`past_key_values.${i}.value`] = empty;
    const pass = async (input: Tensor, start: number) => {
      const rows = input.dims[1];
      const total = start + rows;
      const outputs = await this.decoder.run({
        inputs_embeds: input,
        attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: rows }, (_, i) => BigInt(start + i)), [1, rows]),
        ...past,
      });
      past = {};
      for (let i = 0; i < layers; i++) {
        for (const kind of ['key', 'value']) past[`past_key_values.${i}.${kind}`] = outputs[`present.${i}.${kind}`];
      }
      return argmaxLast(outputs.logits.data as Float32Array, vocab);
    };
    const rows = embeds.length / hidden;
    let started = performance.now();
    const ids = [await pass(new ort.Tensor('float32', embeds, [1, rows, hidden]), 0)];
    const prefillMs = performance.now() - started;
    started = performance.now();
    while (ids.length < steps) {
      const next = await this.embedIds([ids[ids.length - 1]]);
      ids.push(await pass(next, rows + ids.length - 1));
    }
    return { ids, prefillMs, decodeMs: performance.now() - started };
  }

  private async embedIds(ids: number[]): Promise<Tensor> {
    const input = new this.ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    return (await this.embed.run({ input_ids: input })).inputs_embeds;
  }
}

/** The id with the largest logit in the last row of [.., vocab] logits. */
function argmaxLast(logits: Float32Array, vocab: number): number {
  const from = logits.length - vocab;
  let best = 0;
  for (let i = 1; i < vocab; i++) if (logits[from + i] > logits[from + best]) best = i;
  return best;
}

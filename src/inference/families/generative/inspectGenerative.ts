/**
 * `mmlens inspect` of a generative VLM: its three graphs, one generated token on a blank image for the shapes of
 * the decoder's taps (the prefill pass: every prompt position attends over the prompt), the image tokens with the
 * patch region of each, and what cannot be observed.
 */
import { branchAsGraph } from '../../onnx/branchTaps';
import { findAttentionTaps } from '../../onnx/taps';
import { modelAnatomy, type AnatomyGraph } from '../../tasks/anatomy';
import { blankImage, inspectedGraphs, type InspectResult } from '../../tasks/inspect';
import type { GenerativeModel } from './generativeModel';

const PROMPT = 'Describe the image.';

/** Inspects a loaded LLaVA-style model by generating one token on a blank image. */
export async function inspectGenerative(model: GenerativeModel, notices: string[]): Promise<InspectResult> {
  const result = await model.generate({ images: [{ path: 'blank', image: blankImage(model) }], prompt: PROMPT, maxNewTokens: 1, includeAttention: true });
  const [image] = result.images;
  const promptLength = result.prompt.ids.length;
  const decoderAttention = (result.attention?.decoder[0] ?? []).map((layer) => ({ heads: layer.length, queries: promptLength, keys: promptLength, data: new Float32Array(0) }));
  const probed = inspectedGraphs(model, [...notices, ...result.model.notices], [['vision', model.vision, []], ['text', model.embedding, []], ['joint', model.decoder, decoderAttention]]);
  const tokens = image.span[1] - image.span[0];
  const observed = model.decoder.taps.length > 0;
  return {
    ...probed,
    grid: { rows: image.rows, cols: image.cols, firstPatch: 0 },
    denseProjection: model.capabilities.denseMaps,
    architectureGuess: [
      `Generative VLM (${model.vlmFamily}): a vision encoder gives ${tokens} image tokens per image (${image.rows} x ${image.cols} patches), which replace the image token in the prompt; a decoder of ${model.decoder.taps.length || 'unknown'} layers writes the answer with a KV cache.`,
      observed ? 'Attention is observable in every decoder layer.' : `Attention is not observable in this decoder: ${model.unobservedAttention}; generation works, the per-token maps do not.`,
    ].join(' '),
    anatomy: modelAnatomy([['vision', model.vision], ['joint', anatomyGraph(model)]], { vision: tokens, text: promptLength - tokens }, new Set(['inputs_embeds'])),
    generative: {
      family: model.vlmFamily,
      decoderLayers: model.decoder.taps.length,
      queryHeads: decoderAttention[0]?.heads ?? 0,
      keyValueHeads: model.past.kvHeads,
      imageTokens: { perImage: tokens, rows: image.rows, cols: image.cols, inputSize: image.inputSize },
      tokenRegions: image.regions,
      attentionObserved: result.attentionObserved,
      promptExample: result.prompt.text,
      endTokenIds: model.vlm.endTokenIds,
    },
  };
}

/** The decoder as the anatomy walks it: an If-merged decoder by its then-branch (the decoder with past), read on its own. */
function anatomyGraph(model: GenerativeModel): AnatomyGraph {
  const [plan] = model.decoder.branchPlans;
  if (!plan) return model.decoder;
  const graph = branchAsGraph(model.decoder.graph, plan);
  const scan = findAttentionTaps(graph);
  return { graph, taps: scan.taps, fusedOperators: scan.fusedOperators };
}

/**
 * `mmlens inspect` of a generative VLM: its three graphs, one generated token on a grey image of the model's input
 * size (made by the family's own preprocessing, so a tiling family shows its tiles) for the shapes of the decoder's
 * taps (the prefill pass: every prompt position attends over the prompt), the image tokens with the region of each,
 * and what cannot be observed.
 */
import { branchAsGraph } from '../../onnx/branchTaps';
import { findAttentionTaps } from '../../onnx/taps';
import { modelAnatomy, type AnatomyGraph } from '../../tasks/anatomy';
import { getSharp } from '../../images/imageDecode';
import { blankInputSize } from '../../model/modelFolder';
import { inspectedGraphs, type InspectResult } from '../../tasks/inspect';
import type { GenerativeModel } from './generativeModel';

const PROMPT = 'Describe the image.';

/** Inspects a loaded generative model by generating one token on a grey image. */
export async function inspectGenerative(model: GenerativeModel, notices: string[]): Promise<InspectResult> {
  const { width, height } = blankInputSize(model.folder);
  const grey = await (await getSharp())({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
  const image = await model.preprocessImage(grey);
  const result = await model.generate({ images: [{ path: 'grey', image }], prompt: PROMPT, maxNewTokens: 1, includeAttention: true });
  const [tokensOf] = result.images;
  const promptLength = result.prompt.ids.length;
  const decoderAttention = (result.attention?.decoder[0] ?? []).map((layer) => ({ heads: layer.length, queries: promptLength, keys: promptLength, data: new Float32Array(0) }));
  const probed = inspectedGraphs(model, [...notices, ...result.model.notices], [['vision', model.vision, []], ['text', model.embedding, []], ['joint', model.decoder, decoderAttention]]);
  const tokens = tokensOf.positions.length;
  const observed = model.decoder.taps.length > 0;
  // A fused decoder hides its layers from the taps; config.json's text_config still counts them.
  const layers = model.decoder.taps.length || (model.folder.config.text.layers ?? 0);
  const queryHeads = decoderAttention[0]?.heads ?? model.folder.config.text.heads ?? 0;
  return {
    ...probed,
    grid: { rows: tokensOf.rows, cols: tokensOf.cols, firstPatch: 0 },
    denseProjection: model.capabilities.denseMaps,
    architectureGuess: [
      `Generative VLM (${model.vlmFamily}): a vision encoder gives ${tokens} image tokens for a ${width} x ${height} image (${tokensOf.tiles.length} grid${tokensOf.tiles.length > 1 ? 's' : ''} of ${tokensOf.rows} x ${tokensOf.cols}), which replace the image token in the prompt; a decoder of ${layers || 'unknown'} layers writes the answer with a KV cache.`,
      observed ? 'Attention is observable in every decoder layer.' : `Attention is not observable in this decoder: ${model.unobservedAttention}; generation works, the per-token maps do not.`,
    ].join(' '),
    anatomy: modelAnatomy([['vision', model.vision], ['joint', anatomyGraph(model)]], { vision: tokens, text: promptLength - tokens }, new Set(['inputs_embeds'])),
    generative: {
      family: model.vlmFamily,
      decoderLayers: layers,
      queryHeads,
      keyValueHeads: model.past.kvHeads,
      imageTokens: { perImage: tokens, rows: tokensOf.rows, cols: tokensOf.cols, tiles: tokensOf.tiles.length, inputSize: tokensOf.inputSize },
      tokenRegions: tokensOf.regions,
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

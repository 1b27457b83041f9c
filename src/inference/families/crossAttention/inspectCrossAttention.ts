/**
 * `mmlens inspect` of a cross-attention matcher: the graph runs once (a blank image with an empty text) for the
 * shapes of its taps, listed by stream (vision self-attention, text self-attention, cross-attention), with the patch
 * grid and the anatomy read from the graph.
 */
import { patchGridFor } from '../../images/patchGrid';
import { modelAnatomy } from '../../tasks/anatomy';
import { blankImage, inspectedGraphs, type InspectResult } from '../../tasks/inspect';
import { unobservable } from '../../tasks/notices';
import type { CrossAttentionModel } from './crossAttentionModel';

/** Inspects a loaded cross-attention matcher, running it once on a blank image with an empty text. */
export async function inspectCrossAttention(model: CrossAttentionModel, notices: string[]): Promise<InspectResult> {
  const blank = blankImage(model);
  const scores = await model.scorePairs([blank], ['']);
  const streams = model.byStream(scores.attention);
  const probed = inspectedGraphs(model, notices, [['joint', model.graph, scores.attention]]);
  const towerOf = new Map([...model.streams.vision.map((i) => [i, 'vision'] as const), ...model.streams.text.map((i) => [i, 'text'] as const), ...model.streams.cross.map((i) => [i, 'cross'] as const)]);
  const visionTokens = streams.vision[0]?.queries ?? 0;
  const anatomy = modelAnatomy([['joint', model.graph]], { vision: visionTokens, text: scores.batch.length });
  return {
    ...probed,
    taps: probed.taps.map((tap, i) => ({ ...tap, tower: towerOf.get(i) ?? tap.tower })),
    grid: patchGridFor(blank.height, blank.width, model.folder.config.vision.patchSize, visionTokens),
    denseProjection: model.capabilities.denseMaps,
    architectureGuess: [
      `Cross-attention matcher: ${streams.vision.length} vision self-attention layers, then a text encoder of ${streams.text.length} self-attention and ${streams.cross.length} cross-attention layers (text tokens to the ${visionTokens} image tokens); an image-text matching head reads the first text token.`,
      model.graph.taps.length > 0 ? 'Attention is observable in every layer.' : unobservable(model.graph.fusedOperators),
    ].join(' '),
    anatomy,
  };
}

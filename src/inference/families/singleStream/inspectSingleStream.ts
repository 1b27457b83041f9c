/**
 * `mmlens inspect` of a single-stream model: the joint graph runs once (a blank image with an empty text) for
 * the shapes of its taps, and the token layout says where text and image sit in the joint sequence.
 */
import { modelAnatomy } from '../../tasks/anatomy';
import { blankImage, inspectedGraphs, type InspectResult } from '../../tasks/inspect';
import { unobservable } from '../../tasks/notices';
import type { SingleStreamModel } from './singleStreamModel';

/** Inspects a loaded single-stream model, running it once on a blank image with an empty text. */
export async function inspectSingleStream(model: SingleStreamModel, notices: string[]): Promise<InspectResult> {
  const blank = blankImage(model);
  const scores = await model.scorePairs([blank], ['']);
  const layout = model.layoutInfo(blank.outputSize);
  const { rows, cols } = model.layoutFor(blank.outputSize);
  const text = layout.textEnd - layout.textStart;
  return {
    ...inspectedGraphs(model, notices, [['joint', model.joint, scores.attention]]),
    grid: { rows, cols, ...(layout.imageCls !== null && { clsIndex: layout.imageCls }), firstPatch: layout.firstPatch },
    tokenLayout: layout,
    denseProjection: model.capabilities.denseMaps,
    architectureGuess: [
      `Single-stream (early concatenation): ${model.joint.taps.length} joint attention layers over ${layout.tokens} tokens (${text} text, ${layout.imageTokens} image); the modalities attend to each other in every layer, and an image-text matching head reads token ${layout.itmToken}.`,
      model.joint.taps.length > 0 ? 'Attention is observable in every layer.' : unobservable(model.joint.fusedOperators),
    ].join(' '),
    anatomy: modelAnatomy([['joint', model.joint]], { vision: layout.imageTokens, text, joint: layout.tokens }),
  };
}

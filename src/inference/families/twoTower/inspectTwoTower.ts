/**
 * `mmlens inspect` of a two-tower model: both towers run once (a blank image, an empty text) for the shapes
 * of their taps, the patch grid, whether dense patch embeddings exist, and the model's anatomy.
 */
import { relative } from 'node:path';
import { modelAnatomy } from '../../tasks/anatomy';
import { blankImage, inspectedGraphs, type InspectResult, type Probed } from '../../tasks/inspect';
import { unobservable } from '../../tasks/notices';
import { patchGridFor } from '../../images/patchGrid';
import { fixedDim, isIdsInput } from '../../runtime/graphInputs';
import type { TwoTowerModel } from './twoTowerModel';

/** Inspects a loaded two-tower model, running it once on a blank image and an empty text. */
export async function inspectTwoTower(model: TwoTowerModel, notices: string[]): Promise<InspectResult> {
  const { folder } = model;
  const blank = blankImage(model);
  const vision = await model.encodeImages([blank]);
  const text = await model.encodeTexts(['']);
  const towers: Probed[] = [['vision', model.vision, vision.attention], ['text', model.text, text.attention]];
  const observable = towers.every(([, graph]) => graph.taps.length > 0);
  const ids = model.text.graph.inputs.find((i) => i.name === 'input_ids') ?? model.text.graph.inputs.find(isIdsInput);
  const textLength = (ids && fixedDim(ids, 1)) ?? model.tokenizer.maxLength;
  return {
    ...inspectedGraphs(model, notices, towers),
    grid: patchGridFor(blank.height, blank.width, folder.config.vision.patchSize, vision.tokens),
    denseProjection: model.capabilities.denseMaps,
    architectureGuess: [
      `Two-tower (dual encoder): ${model.vision.taps.length} vision and ${model.text.taps.length} text attention layers; the modalities meet only in the similarity of the pooled embeddings.`,
      observable ? 'Attention is observable in every layer.' : unobservable([...model.vision.fusedOperators, ...model.text.fusedOperators]),
      ...(model.oneGraph ? [`Both towers are one graph (${relative(folder.dir, model.vision.file)}), each read with the taps its own input reaches.`] : []),
      ...(model.vision.poolingTaps.length > 0 ? [`The vision tower pools its ${vision.tokens} tokens with an attention head (a learned query attending over them, not a layer); its attention is the attention-pooling map.`] : []),
    ].join(' '),
    anatomy: modelAnatomy([['vision', model.vision], ['text', model.text]], { vision: vision.tokens, text: textLength }),
  };
}

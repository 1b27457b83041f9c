/**
 * The occlusion overlay the analysis panel computes on request: hide each patch of one image in turn (mid-grey)
 * and map how much one text's score drops: its cosine similarity for two-tower models (a probability among a few
 * texts saturates near 1, so hiding one patch barely moves it), the ITM match probability for single-stream
 * models. One forward pass per patch, batched, so it is offered as a button rather than run with every analysis.
 */
import { occlusionMap } from '../../analysis/perturbation/occlusion';
import type { OcclusionReply } from '../../shared/protocol';
import type { LongRunOptions } from '../../core/progress';
import type { InferenceService } from '../service';

/** Which image and text of an analysis to explain, and with which model (the service's default when omitted). */
export interface OcclusionOverlayRequest {
  modelDir?: string;
  image: string;
  texts: string[];
  text: number;
}

const SCORE_NAMES = { similarity: 'cosine similarity', probability: 'probability over the texts', itm: 'ITM match probability' } as const;

/** The occlusion map of `request.image` for `request.texts[request.text]`. */
export async function occlusionOverlay(service: InferenceService, request: OcclusionOverlayRequest, options: LongRunOptions = {}): Promise<OcclusionReply> {
  const model = await service.model(request.modelDir);
  const target = await service.perturbation({ ...request, score: model.capabilities.imageTextMatching ? 'itm' : 'similarity' });
  const result = await occlusionMap(target.image, target.fills.gray, target.score, options);
  return { rows: target.image.rows, cols: target.image.cols, values: result.map, score: SCORE_NAMES[target.kind], forwardPasses: result.forwardPasses };
}

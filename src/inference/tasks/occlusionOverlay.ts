/**
 * The perturbation overlays the analysis panel computes on request. Occlusion hides each patch of one image in
 * turn (mid-grey) and maps how much one text's score drops; RISE (Petsiuk et al. 2018) scores the image under
 * random smooth masks and weights each mask by the score, which finds the object where hiding one patch changes
 * little (a saturated matching head: docs/methods.md, shapes-fusion). The score is the text's cosine similarity for
 * two-tower models (a probability among a few texts saturates near 1, so hiding one patch barely moves it), the
 * ITM match probability for matching models. One forward pass per patch or mask, batched, so each is offered as a
 * button rather than run with every analysis.
 */
import { occlusionMap } from '../../analysis/perturbation/occlusion';
import { riseMap } from '../../analysis/perturbation/rise';
import type { OcclusionReply, PerturbationMethod } from '../../shared/protocol';
import type { LongRunOptions } from '../../core/progress';
import type { InferenceService } from '../service';

/** Which image and text of an analysis to explain, and with which model (the service's default when omitted). */
export interface OcclusionOverlayRequest {
  modelDir?: string;
  image: string;
  texts: string[];
  text: number;
  /** Default occlusion. */
  method?: PerturbationMethod;
}

/** RISE's masks in the panel: as many as `mmlens evaluate` uses by default, so the model's measured figure applies. */
export const PANEL_RISE_MASKS = 500;

const SCORE_NAMES = { similarity: 'cosine similarity', probability: 'probability over the texts', itm: 'ITM match probability' } as const;

/** The occlusion (or RISE, seed 0) map of `request.image` for `request.texts[request.text]`. */
export async function occlusionOverlay(service: InferenceService, request: OcclusionOverlayRequest, options: LongRunOptions = {}): Promise<OcclusionReply> {
  const { method = 'occlusion', ...pair } = request;
  const model = await service.model(pair.modelDir);
  const target = await service.perturbation({ ...pair, score: model.capabilities.imageTextMatching ? 'itm' : 'similarity' });
  const result = method === 'rise'
    ? await riseMap(target.image, target.fills.gray, target.score, { ...options, masks: PANEL_RISE_MASKS, seed: 0 })
    : await occlusionMap(target.image, target.fills.gray, target.score, options);
  return { method, rows: target.image.rows, cols: target.image.cols, values: result.map, score: SCORE_NAMES[target.kind], forwardPasses: result.forwardPasses };
}

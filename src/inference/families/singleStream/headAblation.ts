/** Head ablation for single-stream matchers: every joint layer's heads, scored by the matching probability. */
import { badInput } from '../../../core/errors';
import type { HeadStream } from '../../../shared/headImportance';
import type { PreprocessedImage } from '../../images/preprocess';
import type { SessionCache } from '../../runtime/sessions';
import type { HeadAblationTarget } from '../../tasks/headImportance';
import { pairHeadAblation } from '../../tasks/pairHeadAblation';
import type { SingleStreamModel } from './singleStreamModel';

/** The pair's matching probability as a function of a mask over the heads of every joint layer. */
export function jointHeadAblation(model: SingleStreamModel, image: PreprocessedImage, text: string, asked: HeadStream | undefined, cache: SessionCache): Promise<HeadAblationTarget> {
  const stream = asked ?? 'joint';
  if (stream !== 'joint') throw badInput(`A single-stream model has no separate ${stream} layers: its layers attend over text and image tokens together.`, 'Ablate its joint layers (--stream joint, the default).');
  return pairHeadAblation(model, image, text, stream, undefined, cache);
}

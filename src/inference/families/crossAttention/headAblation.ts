/**
 * Head ablation for cross-attention matchers (BLIP ITM): the heads of the image encoder's self-attention, the text
 * encoder's self-attention or its cross-attention to the image tokens (onnx/taps.ts streamTaps), scored by the
 * matching probability.
 */
import { badInput } from '../../../core/errors';
import type { HeadStream } from '../../../shared/headImportance';
import type { PreprocessedImage } from '../../images/preprocess';
import type { SessionCache } from '../../runtime/sessions';
import type { HeadAblationTarget } from '../../tasks/headImportance';
import { pairHeadAblation } from '../../tasks/pairHeadAblation';
import type { CrossAttentionModel } from './crossAttentionModel';

const STREAMS = ['vision', 'text', 'cross'] as const;

/** The pair's matching probability as a function of a mask over the heads of one stream (cross-attention by default). */
export function crossHeadAblation(model: CrossAttentionModel, image: PreprocessedImage, text: string, asked: HeadStream | undefined, cache: SessionCache): Promise<HeadAblationTarget> {
  const stream = STREAMS.find((s) => s === (asked ?? 'cross'));
  if (!stream) throw badInput(`A cross-attention matcher has no ${asked} layers.`, `Ablate one of its streams: ${STREAMS.join(', ')} (--stream; cross, its text-to-image attention, by default).`);
  const layers = model.streams[stream];
  if (layers.length === 0) throw badInput(`${model.folder.name} shows no ${stream} attention layers to ablate.`);
  return pairHeadAblation(model, image, text, stream, layers, cache);
}

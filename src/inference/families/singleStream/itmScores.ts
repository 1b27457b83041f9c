/**
 * Reading an image-text matching head: two logits (no match, match) as ViLT and BLIP export them, or one
 * match logit for a sigmoid head. Both become the match log-odds, so itm = sigmoid(log-odds) either way
 * (for two logits that is exactly softmax(logits)[1]).
 */
import { badModel } from '../../../core/errors';

/** The match log-odds of `count` pairs from the ITM output (`dims` its shape, `data` its values). */
export function matchScores(file: string, output: string, dims: readonly number[], data: Float32Array, count: number): Float32Array {
  const width = dims.length === 1 ? 1 : dims.length === 2 ? dims[1] : 0;
  if (dims[0] !== count || (width !== 1 && width !== 2)) {
    throw badModel(file, `output \`${output}\` has shape [${dims.join(', ')}], expected [${count}, 2] (no match, match) or [${count}, 1]`, 'Export the matching head with two logits, index 1 = match.');
  }
  if (width === 1) return Float32Array.from(data);
  return Float32Array.from({ length: count }, (_, p) => data[2 * p + 1] - data[2 * p]);
}

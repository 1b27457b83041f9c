// A second way to score a generated answer: the KV-cache loop, one decoder pass per token, fed the answer's tokens
// after the prompt, on pixels the test hid itself. The product's occlusion scores the same answer teacher-forced,
// every token in one pass over the perturbed images it made; the two must agree.
import { logSoftmax } from '../../src/analysis/generation/tokenChoice';
import type { GenerativeModel } from '../../src/inference/families/generative/generativeModel';
import type { PreprocessedImage } from '../../src/inference/images/preprocess';
import type { GenerationResult } from '../../src/shared/generationResult';

/** Each answer token's log-probability after `result`'s prompt when the (first) image's pixels are `pixels`. */
export async function answerLogprobs(model: GenerativeModel, result: GenerationResult, image: PreprocessedImage, pixels: Float32Array): Promise<number[]> {
  const { ids } = result.prompt;
  const { features, width } = await model.encodeImages(pixels, 1, image);
  const { embeds } = await model.embed(ids);
  result.images[0].positions.forEach((place, t) => embeds.set(features.subarray(t * width, (t + 1) * width), place * width));
  const rope = model.placement.ropePositions?.(ids, [image]);
  let pass = await model.decode(embeds, ids.length, 0, undefined, rope?.rows);
  const logprobs: number[] = [];
  for (const [k, token] of result.generated.entries()) {
    logprobs.push(logSoftmax(Array.from(pass.logits))[token.id]);
    if (k + 1 === result.generated.length) break;
    const at = ids.length + k;
    pass = await model.decode((await model.embed([token.id])).embeds, 1, at, pass.presents, rope && [[at + rope.delta], [at + rope.delta], [at + rope.delta]]);
  }
  return logprobs;
}

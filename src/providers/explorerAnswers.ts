/**
 * The alignment explorer with a generative model, which scores no image-text pair: every text is asked as a prompt
 * about every image, one answer at a time in row order, and each answer is handed on as soon as it is written, so
 * the grid fills while the model works. No vscode here: the unit tests drive it with the real inference service.
 */
import { throwIfCancelled, type LongRunOptions } from '../core/progress';
import type { GenerationResult } from '../shared/generationResult';
import type { GenerationRequest } from '../inference/service';

/** New tokens per answer: a grid cell holds a short answer (the Ask panel writes longer ones). */
export const CELL_ANSWER_TOKENS = 32;

/** What writes one answer: the inference client's generate. */
export type Generate = (request: GenerationRequest, options: LongRunOptions) => Promise<GenerationResult>;

/** Called with each answer as it is written: the image's and the prompt's indices, and the generation. */
export type OnAnswer = (image: number, prompt: number, result: GenerationResult) => void;

/** Asks each of `prompts` about each of `images` with `generate` (greedy, CELL_ANSWER_TOKENS tokens at most). */
export async function answerGrid(generate: Generate, images: string[], prompts: string[], options: LongRunOptions, onAnswer: OnAnswer): Promise<void> {
  const total = images.length * prompts.length;
  for (const [i, image] of images.entries()) {
    for (const [j, prompt] of prompts.entries()) {
      throwIfCancelled(options.signal);
      options.onProgress?.({ stage: 'answers', done: i * prompts.length + j, total });
      onAnswer(i, j, await generate({ images: [image], prompt, maxNewTokens: CELL_ANSWER_TOKENS }, { signal: options.signal }));
    }
  }
  options.onProgress?.({ stage: 'answers', done: total, total });
}

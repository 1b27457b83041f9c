/**
 * The zero-shot prompt templates the commands and editors build default texts with: the setting's, or when it
 * is empty (its default) the model's own, as the service and `mmlens zeroshot` use them (tasks/zeroShot.ts); and
 * the prompts of the labels the model ranks highest on an image, which those defaults start from.
 */
import { buildPrompts } from '../analysis/zeroShot';
import { runWithProgress } from './commands/longRun';
import type { InferenceHost } from './inferenceHost';
import { readSettings } from './settings';

/** The setting's templates, else the current model's; the label alone when the model cannot be loaded (its error shows on use). */
export async function promptTemplates(host: InferenceHost): Promise<string[]> {
  const { promptTemplates: chosen } = readSettings();
  if (chosen.length > 0) return chosen;
  try {
    return (await host.get().describeModel()).promptTemplates;
  } catch {
    return ['{label}'];
  }
}

/**
 * The prompts (in the first template) of the `count` labels (setting multimodalLens.labels) the model ranks highest
 * on `image`, best first, so a default text fits the image rather than being the list's first words; the first
 * labels when the ranking fails or is cancelled (an error is shown then), none without labels.
 */
export async function rankedPrompts(host: InferenceHost, image: string, count: number): Promise<string[]> {
  const { labels, promptTemplates: chosen } = readSettings();
  if (labels.length === 0) return [];
  // Empty templates: the service ranks with the model's own and says which in the result.
  const ranked = await runWithProgress(host.log, 'ranking the labels for the texts', (options) =>
    host.get().zeroShot({ images: [image], labels, templates: chosen, topK: Math.min(count, labels.length) }, options));
  const [top, templates] = ranked ? [ranked.images[0].top.map((hit) => hit.label), ranked.templates] : [labels.slice(0, count), await promptTemplates(host)];
  return buildPrompts(top, templates.slice(0, 1)).map((p) => p.text);
}

/**
 * The zero-shot prompt templates the commands and editors build default texts with: the setting's, or when it
 * is empty (its default) the model's own, as the service and `mmlens zeroshot` use them (tasks/zeroShot.ts).
 */
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

/** The plain-text summary `mmlens probe` prints: the set, retrieval, EMAP, perceptual score, ablation and MM-SHAP. */
import type { ProbeResult, RecallSet } from '../shared/probeResult';

const fixed = (value: number | null) => (value === null ? 'n/a' : value.toFixed(3));
const recall = (r: RecallSet) => `R@1 ${fixed(r.r1)}  R@5 ${fixed(r.r5)}  R@10 ${fixed(r.r10)}`;

/** A few lines with the headline numbers, then the notices. */
export function probeSummary(result: ProbeResult): string {
  const { model, manifest, retrieval, emap, perceptualScore, ablation, geometry } = result;
  const lines = [
    `model ${model.name} (${model.architecture}) on ${model.executionProvider}`,
    `${manifest.pairs} pairs from ${manifest.path} (${manifest.format}${manifest.labelled ? ', labelled' : ''})`,
    `image -> text  ${recall(retrieval.imageToText)}`,
    `text -> image  ${recall(retrieval.textToImage)}`,
    `EMAP (${emap.metric})  full ${fixed(emap.full)}  additive ${fixed(emap.additive)}`,
    ...(emap.notice ? [`  ${emap.notice}`] : []),
    `perceptual score (${perceptualScore.metric})  image ${fixed(perceptualScore.image)}  text ${fixed(perceptualScore.text)}`,
    `ablation (mean drop of the ${result.scoreKind === 'cosine' ? 'cosine' : 'ITM log-odds'})  empty text ${fixed(ablation.emptyText.meanDrop)}  mean image ${fixed(ablation.meanImage.meanDrop)}`,
  ];
  const { mmShap } = result;
  if (mmShap) {
    const byLabel = mmShap.byLabel && `  matching ${fixed(mmShap.byLabel.matching.mean)}  non-matching ${fixed(mmShap.byLabel.nonMatching.mean)}`;
    lines.push(`MM-SHAP (${mmShap.score}, ${mmShap.pairs} pairs)  T-SHAP ${fixed(mmShap.mean)} +/- ${fixed(mmShap.std)}${byLabel ?? ''}`);
  }
  if (geometry) lines.push(`modality gap ${fixed(geometry.modalityGap)}  alignment ${fixed(geometry.alignment)}  uniformity image ${fixed(geometry.uniformity.image)} text ${fixed(geometry.uniformity.text)}`);
  for (const notice of model.notices) lines.push(`note: ${notice}`);
  return lines.join('\n');
}

/**
 * One line per probe figure saying what its numbers mean on this run, computed from the figure (which modality
 * the score rests on and by how much, how far above chance, what a figure cannot show here), each with the
 * section of docs/methods.md that explains the probe. The probe report prints them under the figures.
 */
import type { ProbeResult } from './probeResult';

/** The methods page, relative to the repository (and the installed extension) root. */
export const METHODS_DOC = 'docs/methods.md';

/** The headings of docs/methods.md the readings link to. */
export const METHODS_SECTIONS = [
  'Retrieval recall@k',
  'Dataset probes: does the model really combine the modalities?',
  'EMAP',
  'Perceptual score',
  'Modality ablation',
  'Two-tower geometry',
  'Cross-modal attention share (single-stream)',
  'MM-SHAP (`probe --mm-shap N`, `analyze --mm-shap`)',
] as const;

/** A heading of docs/methods.md a reading links to. */
export type MethodsSection = (typeof METHODS_SECTIONS)[number];

/** A figure's reading and the docs section that explains it. */
export interface ProbeReading {
  text: string;
  section: MethodsSection;
}

/** GitHub's anchor for a Markdown heading: lower case, punctuation other than `-` and `_` dropped, spaces as `-`. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The 0-based line of `markdown` holding the heading `heading` (any level), or -1. */
export function headingLine(markdown: string, heading: string): number {
  return markdown.split('\n').findIndex((line) => /^#{1,6}\s/.test(line) && line.replace(/^#+\s+/, '').trim() === heading);
}

const three = (v: number) => v.toFixed(3);
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
const distinct = (values: string[]) => new Set(values).size;

/** Retrieval: recall@1 each way against chance, 1 / distinct candidates. */
export function retrievalReading(result: ProbeResult): ProbeReading {
  const { imageToText, textToImage, queries } = result.retrieval;
  const captions = distinct(result.pairs.map((p) => p.caption));
  const images = distinct(result.pairs.map((p) => p.image));
  const times = (r: number, chance: number) => (r === 0 ? 'never' : `${(r / chance).toFixed(1)} times chance`);
  return {
    text: `The right caption ranks first for ${percent(imageToText.r1)} of ${queries.imageToText} images, ${times(imageToText.r1, 1 / captions)} (1 in ${captions}); the right image for ${percent(textToImage.r1)} of ${queries.textToImage} captions, ${times(textToImage.r1, 1 / images)} (1 in ${images}). This says the scores rank the pairs, not how the modalities are combined.`,
    section: 'Retrieval recall@k',
  };
}

/** The mean score of the matching pairs (the diagonal, label 1 or unlabelled) and of every other combination; undefined without the matrix. */
export function pairScoreMeans(result: ProbeResult): { matching: number; others: number } | undefined {
  const { scores, pairs } = result;
  if (!scores || scores.length < 2) return undefined;
  let [matching, m, others, o] = [0, 0, 0, 0];
  scores.forEach((row, i) => row.forEach((value, j) => {
    if (i === j && pairs[i]?.label !== 0) [matching, m] = [matching + value, m + 1];
    else if (i !== j) [others, o] = [others + value, o + 1];
  }));
  return m > 0 && o > 0 ? { matching: matching / m, others: others / o } : undefined;
}

/** The score matrix: how far the matching pairs score above every other combination. */
export function pairScoresReading(result: ProbeResult): ProbeReading | undefined {
  const means = pairScoreMeans(result);
  if (!means) return undefined;
  const gap = means.matching - means.others;
  const verdict = gap > 0 ? `the model scores a pair ${three(gap)} higher than a mismatch on average` : 'the matching pairs do not score higher than the mismatches';
  return { text: `Matching pairs (the diagonal) score ${three(means.matching)} on average, every other image-caption combination ${three(means.others)}: ${verdict}.`, section: 'Dataset probes: does the model really combine the modalities?' };
}

/** EMAP: what interaction adds over the best additive fit, or why the unlabelled figure cannot say. */
export function emapReading(result: ProbeResult): ProbeReading {
  const { emap } = result;
  if (emap.notice) {
    return { text: `Without labels the additive figure (${three(emap.additive)}) is fixed by construction, so the gap to ${three(emap.full)} only says the model beats chance; use a manifest with hard negatives labelled 0 to test interaction.`, section: 'EMAP' };
  }
  const gap = emap.full - emap.additive;
  const verdict = gap < 0.02 ? 'the model solves this set as well without any image-text interaction' : `image-text interaction adds ${three(gap)}`;
  return { text: `The additive projection reaches ${three(emap.additive)} of the full model's ${three(emap.full)} (${emap.metric}): ${verdict}.`, section: 'EMAP' };
}

/** The perceptual score: which modality's shuffling costs the metric more. */
export function perceptualReading(result: ProbeResult): ProbeReading {
  const { image, text, metric } = result.perceptualScore;
  const section = 'Perceptual score';
  if (metric === 'recall@1') {
    return { text: `Shuffling the images costs ${three(image)} of the recall@1 and shuffling the captions ${three(text)}; with recall@1 both are equal in expectation, so they do not tell the modalities apart (a labelled manifest does).`, section };
  }
  const larger = Math.max(image, text);
  const relies = larger < 0.02 ? 'neither shuffle hurts, so the predictions do not depend on which image goes with which caption'
    : Math.min(image, text) >= 0.5 * larger ? 'the model needs both'
      : image > text ? 'the model relies mostly on the image' : 'the model relies mostly on the captions';
  return { text: `Shuffling the images costs ${three(image)} of the ${metric}, shuffling the captions ${three(text)}: ${relies}.`, section };
}

/**
 * The modality ablation: which replacement moves the score more, by what factor, and for a matching head an
 * empty-text drop set against what a wrong caption costs (the score matrix), since a wordless text is out of
 * distribution and can score near a match.
 */
export function ablationReading(result: ProbeResult): ProbeReading {
  const section = 'Modality ablation';
  const { emptyText, meanImage } = result.ablation;
  const [e, m] = [emptyText.meanDrop, meanImage.meanDrop];
  const score = result.scoreKind === 'cosine' ? 'cosine similarity' : 'ITM log-odds';
  const head = `Replacing the image by the set's mean image lowers the matching pairs' ${score} by ${three(m)}, replacing the caption by the empty text by ${three(e)}`;
  if (result.scoreKind === 'cosine') return { text: `${head}; a cosine depends on both embeddings by construction, so these drops say how far each embedding moves, not how the modalities are fused.`, section };
  const [small, large] = Math.abs(e) <= Math.abs(m) ? [e, m] : [m, e];
  const which = Math.abs(e) <= Math.abs(m) ? 'image' : 'caption';
  const factor = Math.abs(small) > 1e-9 ? `${(Math.abs(large) / Math.abs(small)).toFixed(0)} times` : 'far';
  const main = `${head}: the score moves ${factor} more without the ${which}`;
  const means = pairScoreMeans(result);
  if (which === 'image' && Math.abs(large) >= 10 * Math.abs(small) && means) {
    return { text: `${main}. That does not mean the caption is ignored: a wrong caption lowers the score by ${three(means.matching - means.others)} (pair scores), while a wordless text is out of distribution and the matching head scores it almost as a match.`, section };
  }
  return { text: `${main}.`, section };
}

/** Two-tower geometry: how far apart the two clouds sit. */
export function geometryReading(geometry: NonNullable<ProbeResult['geometry']>): ProbeReading {
  const gap = geometry.modalityGap;
  const apart = gap > 0.5 ? 'images and captions live in separate regions of the joint space' : gap > 0.2 ? 'the two clouds are partly apart' : 'the two clouds overlap';
  return { text: `The image and caption centroids are ${three(gap)} apart (0: one cloud; unit vectors, at most 2): ${apart}; matching pairs sit at a mean squared distance of ${three(geometry.alignment)}. A gap is not itself a defect.`, section: 'Two-tower geometry' };
}

/** Cross-modal attention: the head that sends the most text attention to the image, against the mean head. */
export function crossModalReading(cells: NonNullable<ProbeResult['crossModalAttention']>): ProbeReading | undefined {
  const flat = cells.flatMap((layer, l) => layer.map((cell, h) => ({ l, h, cell })));
  if (flat.length === 0) return undefined;
  const top = flat.reduce((a, b) => (b.cell.z.imageToText > a.cell.z.imageToText ? b : a));
  const text = flat.reduce((a, b) => (b.cell.z.textToImage > a.cell.z.textToImage ? b : a));
  return { text: `Text queries look at the image most, for their share, in layer ${text.l} head ${text.h} (${three(text.cell.textToImage)}, z ${text.cell.z.textToImage.toFixed(1)}); image queries look at the text most in layer ${top.l} head ${top.h} (${three(top.cell.imageToText)}, z ${top.cell.z.imageToText.toFixed(1)}). Shares grow with token counts: compare heads, not models.`, section: 'Cross-modal attention share (single-stream)' };
}

/** MM-SHAP: which modality the predictions rest on and by how much. */
export function mmShapReading(shap: NonNullable<ProbeResult['mmShap']>): ProbeReading {
  const t = shap.mean;
  const rests = Math.abs(t - 0.5) < 0.05 ? 'on both about equally' : t < 0.5 ? `more on the image (${(((1 - t) / t)).toFixed(1)} times the text's share)` : `more on the text (${(t / (1 - t)).toFixed(1)} times the image's share)`;
  return { text: `The predictions rest ${rests}: T-SHAP ${three(t)}, V-SHAP ${three(1 - t)} over ${shap.pairs} pairs, whether or not the model is right.`, section: 'MM-SHAP (`probe --mm-shap N`, `analyze --mm-shap`)' };
}

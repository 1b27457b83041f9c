/**
 * Zero-shot classification as CLIP does it (Radford et al. 2021, section 3.1.4): every label is put into
 * one or more prompt templates, the prompt embeddings of a label are averaged into one class embedding
 * ("prompt ensembling", done in embedding space), and an image's class probabilities are the softmax of
 * its scaled cosine similarity with each class embedding.
 */
import { badInput, LensError } from '../core/errors';
import { cosineSimilarityMatrix, softmaxRows } from './similarity';
import { requireLength, requirePositiveInt, rowCount } from './shape';

/** The placeholder a template must contain; the label replaces every occurrence. */
export const LABEL_PLACEHOLDER = '{label}';

/** The template used when the user gives none (CLIP's own default prompt). */
export const DEFAULT_TEMPLATES: readonly string[] = ['a photo of a {label}.'];

/** One prompt to embed, and the label and template it came from (indices into the given lists). */
export interface ZeroShotPrompt {
  text: string;
  label: number;
  template: number;
}

/**
 * Every label in every template, label-major: prompt label·templates + template. Throws badInput for an
 * empty label list or label, no templates, or a template without `{label}`.
 */
export function buildPrompts(labels: readonly string[], templates: readonly string[] = DEFAULT_TEMPLATES): ZeroShotPrompt[] {
  if (labels.length === 0) throw badInput('Zero-shot classification needs at least one label, and none was given.', 'Give the class names to choose between, e.g. "cat, dog, car".');
  const empty = labels.findIndex((label) => label.trim() === '');
  if (empty >= 0) throw badInput(`Label ${empty + 1} of ${labels.length} is empty.`, 'Remove it or give it a name.');
  if (templates.length === 0) throw badInput('No prompt templates were given.', `Give at least one, e.g. "${DEFAULT_TEMPLATES[0]}", or leave the setting out for the default.`);
  const bad = templates.findIndex((template) => !template.includes(LABEL_PLACEHOLDER));
  if (bad >= 0) {
    throw badInput(`Prompt template "${templates[bad]}" has no ${LABEL_PLACEHOLDER} placeholder.`, `Put ${LABEL_PLACEHOLDER} where the label goes, e.g. "${DEFAULT_TEMPLATES[0]}".`);
  }
  // split/join rather than replaceAll, which would read `$&` and the like in a label as replacement patterns.
  return labels.flatMap((label, l) => templates.map((template, t) => ({ text: template.split(LABEL_PLACEHOLDER).join(label), label: l, template: t })));
}

/** Scales a float64 vector to unit length in place; a zero vector stays zero. */
function normalize(v: Float64Array): Float64Array {
  const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
  if (norm > 0) for (let k = 0; k < v.length; k++) v[k] /= norm;
  return v;
}

/**
 * Class embeddings from prompt embeddings: `textEmbeds` holds (labels·templates) rows of width d in the
 * order of `buildPrompts`. Each prompt embedding is L2-normalised, the templates of a label are averaged,
 * and the mean is normalised again. Returns labels x d, row-major, each row of unit length (or zero when
 * its prompts cancel out, which the cosine then reads as 0).
 */
export function ensembleEmbeddings(textEmbeds: Float32Array, labels: number, templates: number, d: number): Float32Array {
  requirePositiveInt(labels, 'ensembleEmbeddings: labels');
  requirePositiveInt(templates, 'ensembleEmbeddings: templates');
  requirePositiveInt(d, 'ensembleEmbeddings: d');
  requireLength(textEmbeds, labels * templates * d, 'ensembleEmbeddings: textEmbeds');
  const out = new Float32Array(labels * d);
  for (let l = 0; l < labels; l++) {
    const sum = new Float64Array(d);
    for (let t = 0; t < templates; t++) {
      const start = (l * templates + t) * d;
      const prompt = normalize(Float64Array.from(textEmbeds.subarray(start, start + d)));
      for (let k = 0; k < d; k++) sum[k] += prompt[k];
    }
    out.set(normalize(sum), l * d);
  }
  return out;
}

/** One of an image's best labels. */
export interface ZeroShotHit {
  label: number;
  probability: number;
}

/** Zero-shot scores of n images over the labels. */
export interface ZeroShotScores {
  /** n x labels, row-major: cosine similarity of each image with each class embedding. */
  cosine: Float32Array;
  /** n x labels, row-major: each row the softmax of logitScale · cosine. */
  probabilities: Float32Array;
  /** Per image, its min(topK, labels) most probable labels, highest first; equal probabilities by lower label index. */
  top: ZeroShotHit[][];
}

/**
 * Scores images (`imageEmbeds`, n x d) against class embeddings (`labelEmbeds`, labels x d). `logitScale`
 * is the multiplier itself (CLIP: exp(logit_scale) = 100), not its logarithm. A `topK` above the number of
 * labels returns every label; below 1 it is bad input.
 */
export function zeroShotScores(imageEmbeds: Float32Array, labelEmbeds: Float32Array, d: number, logitScale: number, topK: number): ZeroShotScores {
  requireTopK(topK);
  if (!Number.isFinite(logitScale) || logitScale <= 0) throw new LensError('internal', `zeroShotScores: logit scale ${logitScale} is not a positive number.`);
  const images = rowCount(imageEmbeds, d, 'zeroShotScores: imageEmbeds');
  const labels = rowCount(labelEmbeds, d, 'zeroShotScores: labelEmbeds');
  requirePositiveInt(images, 'zeroShotScores: images');
  requirePositiveInt(labels, 'zeroShotScores: labels');
  const cosine = cosineSimilarityMatrix(imageEmbeds, labelEmbeds, d);
  const probabilities = softmaxRows(cosine, images, labels, logitScale);
  const top = Array.from({ length: images }, (_, i) => topLabels(probabilities.subarray(i * labels, (i + 1) * labels), topK));
  return { cosine, probabilities, top };
}

/** Throws badInput unless `topK` is a whole number of at least 1. */
export function requireTopK(topK: number): void {
  if (!Number.isInteger(topK) || topK < 1) throw badInput(`Top-k must be a whole number of at least 1, got ${topK}.`, 'Ask for 1 or more labels.');
}

/**
 * The min(topK, labels) highest entries of one image's label scores, highest first, equal scores by lower
 * label index; for scores that are not a softmax (sigmoid or matching probabilities) as well.
 */
export function topLabels(row: ArrayLike<number>, topK: number): ZeroShotHit[] {
  requireTopK(topK);
  const order = Array.from({ length: row.length }, (_, l) => l).sort((a, b) => row[b] - row[a] || a - b);
  return order.slice(0, topK).map((label) => ({ label, probability: row[label] }));
}

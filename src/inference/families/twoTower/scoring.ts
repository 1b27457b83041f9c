/**
 * A two-tower model's scores outside a full analysis: zero-shot labels as CLIP does them (prompt embeddings
 * ensembled per label, softmax over the labels of the scaled cosines; with a logit bias, SigLIP's sigmoid per
 * label), and the scores the perturbation methods explain (cosine with a text, or its probability among texts;
 * the cosine of perturbed images with edited texts for the text-side analyses).
 */
import type { ScoreBatch } from '../../../analysis/perturbation/perturbation';
import { cosineSimilarityMatrix, sigmoidScores, softmaxRows } from '../../../analysis/similarity';
import { ensembleEmbeddings, zeroShotScores } from '../../../analysis/zeroShot';
import { badInput } from '../../../core/errors';
import type { LongRunOptions } from '../../../core/progress';
import type { PreprocessedImage } from '../../images/preprocess';
import { defaultMaskId, editedBatch, specialIdsOf, type PairPerturbation } from '../../tasks/pairPerturbation';
import type { PerturbationScoreKind } from '../../tasks/perturbationScores';
import type { PromptScores } from '../../tasks/zeroShot';
import type { TwoTowerModel } from './twoTowerModel';

/** Zero-shot scores of `pixels` over `labels` labels of `templates` prompts each (label-major `texts`). */
export async function embeddingScores(model: TwoTowerModel, pixels: PreprocessedImage[], texts: string[], labels: number, templates: number, options: LongRunOptions): Promise<PromptScores> {
  const vision = await model.encodeImages(pixels, options);
  const text = await model.encodeTexts(texts, options);
  const classes = ensembleEmbeddings(text.embeds, labels, templates, text.dim);
  const scale = model.logits.scale.value;
  const bias = model.logits.bias?.value;
  const { cosine, probabilities } = zeroShotScores(vision.embeds, classes, vision.dim, scale, 1);
  if (bias === undefined) return { scoring: 'softmax', logitScale: scale, probabilities, similarity: cosine, prompts: text.batch.items };
  return { scoring: 'sigmoid', logitScale: scale, logitBias: bias, probabilities: sigmoidScores(cosine, scale, bias), similarity: cosine, prompts: text.batch.items };
}

/** The probability among the texts when it can vary (several texts, or a sigmoid model), else the cosine. */
export function towerScoreKind(model: TwoTowerModel, texts: number): PerturbationScoreKind {
  return texts > 1 || model.logits.bias !== undefined ? 'probability' : 'similarity';
}

/** Scores batches of perturbed copies of `image` by `kind` for text `text` of `texts`. */
export async function towerScore(model: TwoTowerModel, image: PreprocessedImage, texts: string[], text: number, kind: PerturbationScoreKind): Promise<ScoreBatch> {
  if (kind === 'itm') throw badInput('A two-tower model has no image-text matching head.', 'Score by similarity or probability.');
  const sigmoid = model.logits.bias;
  if (kind === 'probability' && texts.length === 1 && !sigmoid) {
    throw badInput('The softmax probability of one text among one text is always 1.', 'Give more texts, or score by similarity.');
  }
  const { embeds, dim } = await model.encodeTexts(texts);
  const scale = model.logits.scale.value;
  return async (batch, count) => {
    const similarity = cosineSimilarityMatrix(await model.embedPixels(batch, count, image.outputSize), embeds, dim);
    const scores = kind === 'similarity' ? similarity
      : sigmoid ? sigmoidScores(similarity, scale, sigmoid.value) : softmaxRows(similarity, count, texts.length, scale);
    return Float32Array.from({ length: count }, (_, i) => scores[i * texts.length + text]);
  };
}

/** The cosine similarity of pairs of perturbed copies of `image` and edited token ids of `text`; each distinct image and text row is embedded once. */
export async function towerPairScore(model: TwoTowerModel, image: PreprocessedImage, text: string): Promise<PairPerturbation> {
  const base = await model.tokenizeTexts([text]);
  return {
    kind: 'similarity',
    text: base.items[0],
    specialIds: specialIdsOf(model.tokenizer),
    defaultMaskId: defaultMaskId(model.tokenizer),
    score: async ({ pixels, images, ids, pairs }) => {
      const imageEmbeds = await model.embedPixels(pixels, images, image.outputSize);
      const textEmbeds = (await model.runTextBatch(editedBatch(base, ids), false)).embeds;
      const cosine = cosineSimilarityMatrix(imageEmbeds, textEmbeds, imageEmbeds.length / images);
      return Float32Array.from({ length: pairs.length / 2 }, (_, p) => cosine[pairs[2 * p] * ids.length + pairs[2 * p + 1]]);
    },
  };
}

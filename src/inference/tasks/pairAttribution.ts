/**
 * The text-side attributions of one image-text pair through a model: text-token occlusion and MM-SHAP
 * (src/analysis/perturbation/textOcclusion.ts, mmShap.ts), with the pair's features built from the family's
 * PairPerturbation, the settings checked, and where a run departs from MM-SHAP's authors said beside the figure.
 */
import { authorsGrid, mmShap } from '../../analysis/perturbation/mmShap';
import type { PairFeatures } from '../../analysis/perturbation/pairPerturbation';
import { AUTHORS_PERMUTATIONS } from '../../analysis/perturbation/shapley';
import { textOcclusion } from '../../analysis/perturbation/textOcclusion';
import { badInput } from '../../core/errors';
import type { LongRunOptions } from '../../core/progress';
import type { AttributedToken, MmShapReport, PairScoreName, TokenOcclusionReport } from '../../shared/attributionResult';
import type { ModelAdapter } from '../families/adapter';
import type { PreprocessedImage } from '../images/preprocess';
import type { PairPerturbation } from './pairPerturbation';
import { greyValue } from './perturbationScores';

/** How the text-side attributions hide features; every field defaults to MM-SHAP's authors' setting. */
export interface PairAttributionSettings {
  /** The id a hidden token becomes; default the family's defaultMaskId (the pad token, or id 0). */
  maskId?: number;
  /** MM-SHAP: side of the square grid of image patches; default ceil(sqrt(text tokens)) (authorsGrid). */
  grid?: number;
  /** MM-SHAP: hidden pixels become 0 after normalisation ('mean', the authors') or mid-grey. */
  imageFill?: 'mean' | 'gray';
  /** MM-SHAP: shap's max_evals; default the authors' 10 antithetic permutations' worth. */
  evaluations?: number;
  /** MM-SHAP: seed of the permutations; default 0. */
  seed?: number;
}

/** One pair of a model: the image as preprocessed for it and its path, and the text. */
export interface AttributionPair {
  model: ModelAdapter;
  image: PreprocessedImage;
  imagePath: string;
  text: string;
}

const SCORE_NAMES: Record<PairPerturbation['kind'], PairScoreName> = { similarity: 'cosine similarity', itm: 'ITM match probability' };

/** The family's pair scorer, or a badInput saying the model has none. */
export function pairScorer(model: ModelAdapter, image: PreprocessedImage, text: string): Promise<PairPerturbation> {
  if (!model.pairPerturbationScore) {
    throw badInput(`${model.folder.name} does not score image-text pairs, so its text tokens cannot be occluded and MM-SHAP has no score to explain.`, 'Use a two-tower (CLIP, SigLIP), single-stream or cross-attention matching model.');
  }
  return model.pairPerturbationScore(image, text);
}

function checkWhole(value: number | undefined, name: string, min: number, max: number, why: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) throw badInput(`${name} ${value} is not a whole number from ${min} to ${max}${why}.`, `Give ${name} from ${min} to ${max}.`);
}

/** The features of a pair: its text tokens but the start and end ones, and a grid x grid patch grid of its image. */
function features(pair: AttributionPair, scorer: PairPerturbation, settings: PairAttributionSettings, grid: number): PairFeatures {
  const { image } = pair;
  const { height, width } = image.outputSize;
  checkWhole(settings.maskId, 'The mask token id', 0, 2 ** 31 - 1, '');
  checkWhole(grid, 'The MM-SHAP grid side', 1, Math.min(height, width), ` (the image is ${height}x${width} pixels)`);
  const positions = scorer.text.ids.flatMap((id, c) => (scorer.specialIds.has(id) ? [] : [c]));
  if (positions.length === 0) throw badInput(`The text "${pair.text}" has no tokens besides the start and end tokens, so there is nothing to hide.`, 'Give a text with at least one word.');
  const fill = settings.imageFill === 'gray' ? greyValue(pair.model.folder.preprocessor) : [0, 0, 0];
  return {
    image: { data: image.pixels, height, width, rows: grid, cols: grid },
    fill: { kind: 'gray', value: fill },
    text: { ids: scorer.text.ids, tokens: scorer.text.tokens, positions, maskId: settings.maskId ?? scorer.defaultMaskId },
  };
}

function attributed(f: PairFeatures, values: ArrayLike<number>): AttributedToken[] {
  return f.text.positions.map((index, k) => ({ index, token: f.text.tokens[index], id: f.text.ids[index], value: values[k] }));
}

/** Text-token occlusion of one pair: the score drop when each token (but start and end) becomes the mask token. */
export async function tokenOcclusion(pair: AttributionPair, settings: PairAttributionSettings = {}, options: LongRunOptions = {}): Promise<TokenOcclusionReport> {
  const scorer = await pairScorer(pair.model, pair.image, pair.text);
  const f = features(pair, scorer, settings, 1);
  const result = await textOcclusion(f, scorer.score, options);
  return { image: pair.imagePath, text: pair.text, score: SCORE_NAMES[scorer.kind], baseline: result.baseline, tokens: attributed(f, result.drops), maskId: f.text.maskId, forwardPasses: result.forwardPasses };
}

/** MM-SHAP of one pair, with the departures from the authors' setting this run makes. */
export async function pairMmShap(pair: AttributionPair, settings: PairAttributionSettings = {}, options: LongRunOptions = {}): Promise<MmShapReport> {
  const scorer = await pairScorer(pair.model, pair.image, pair.text);
  const grid = settings.grid ?? authorsGrid(scorer.text.ids.length);
  const f = features(pair, scorer, settings, grid);
  const count = f.text.positions.length + grid * grid;
  const evaluations = settings.evaluations ?? AUTHORS_PERMUTATIONS * (2 * count + 1);
  const seed = settings.seed ?? 0;
  const result = await mmShap(f, scorer.score, { ...options, evaluations, seed });
  return {
    image: pair.imagePath,
    text: pair.text,
    score: SCORE_NAMES[scorer.kind],
    tShap: result.tShap,
    vShap: result.vShap,
    full: result.shapley.full,
    empty: result.shapley.empty,
    tokens: attributed(f, result.text),
    patches: Array.from(result.image),
    settings: { grid, gridRule: settings.grid === undefined ? 'authors' : 'given', imageFill: settings.imageFill ?? 'mean', maskId: f.text.maskId, evaluations, permutations: result.shapley.permutations, seed },
    departures: departures(scorer, f, settings, result.shapley.permutations),
    forwardPasses: result.shapley.forwardPasses,
  };
}

/** One sentence per setting of this run that is not the authors' (docs/methods.md, MM-SHAP). */
export function departures(scorer: Pick<PairPerturbation, 'kind'>, f: Pick<PairFeatures, 'text'>, settings: PairAttributionSettings, permutations: number): string[] {
  const out: string[] = [];
  if (scorer.kind === 'similarity') out.push('The cosine similarity is explained, where the authors explain CLIP\'s logit (the cosine x the logit scale): every Shapley value is that factor smaller, T-SHAP is the same.');
  if (f.text.maskId !== 0) out.push(`Hidden tokens become id ${f.text.maskId} (the tokenizer's pad token), where the authors' code writes id 0; --text-mask 0 gives theirs.`);
  if (settings.grid !== undefined) out.push(`The image is a ${settings.grid}x${settings.grid} grid (--shap-grid), not the authors' ceil(sqrt(text tokens)).`);
  if (settings.imageFill === 'gray') out.push('Hidden patches are mid-grey (--shap-fill gray), not the authors\' 0 after normalisation (the mean colour).');
  if (permutations !== AUTHORS_PERMUTATIONS) out.push(`${permutations} antithetic permutations (--shap-evals), not the authors' ${AUTHORS_PERMUTATIONS}.`);
  return out;
}

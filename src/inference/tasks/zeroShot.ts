/**
 * `mmlens zeroshot`: zero-shot classification of images over a label list. The prompts and the result are made
 * here; the model's family scores the prompts (`ModelAdapter.zeroShotScores`). Two-tower models do it as CLIP
 * does (src/analysis/zeroShot.ts): prompt embeddings ensembled per label, softmax over the labels of the
 * scaled cosines (SigLIP-style models with a logit bias: a sigmoid per label, as their own pipeline does).
 * A single-stream model has no text embedding to compare: each label's prompts are scored with the image by
 * the image-text matching head, and the matching probability is averaged over the templates.
 */
import { buildPrompts, DEFAULT_TEMPLATES, requireTopK, topLabels } from '../../analysis/zeroShot';
import type { Architecture } from '../../shared/analysisResult';
import { requireSameSize, type PreparedRequest } from './analysisParts';
import type { LongRunOptions } from '../../core/progress';
import type { ModelAdapter } from '../families/adapter';
import type { EncodedText } from '../model/tokenize';
import type { ModelConfig } from '../model/modelConfig';

const SIGLIP_TEMPLATE = 'This is a photo of {label}.';

/**
 * The templates a model's labels are prompted with when a request gives none, so the CLI and the extension rank
 * alike: those config.json names (`prompt_templates`: the bundled models know only shapes-world words), else
 * SigLIP's "This is a photo of {label}." (Hugging Face's SigLIP examples), else CLIP's "a photo of a {label}.".
 */
export function modelTemplates(config: ModelConfig): string[] {
  if (config.promptTemplates) return config.promptTemplates;
  return config.modelType === 'siglip' ? [SIGLIP_TEMPLATE] : [...DEFAULT_TEMPLATES];
}

/** The labels shown when a request names no top-k. */
export const DEFAULT_TOP_K = 5;

/** A zero-shot request: images by path, labels, optional prompt templates with `{label}`. */
export interface ZeroShotRequest {
  modelDir?: string;
  images: string[];
  labels: string[];
  /** Default: the model's own (modelTemplates); several are ensembled. */
  templates?: string[];
  /** How many labels `top` lists per image (default DEFAULT_TOP_K, at most all). */
  topK?: number;
}

/** How `probabilities` were computed: softmax over the labels, a sigmoid per label, or matching probability per label. */
export type ZeroShotScoring = 'softmax' | 'sigmoid' | 'itm';

/** One image's scores, `probabilities[l]` for `labels[l]`. */
export interface ZeroShotImage {
  path: string;
  probabilities: number[];
  /** Two-tower models: cosine of the image embedding with each label's ensembled text embedding. */
  similarity?: number[];
  top: { label: string; probability: number }[];
}

/** What `mmlens zeroshot --json` writes (docs/cli.md). */
export interface ZeroShotResult {
  schemaVersion: number;
  model: { name: string; architecture: Architecture; executionProvider: string; notices: string[]; fallbacks?: string[] };
  scoring: ZeroShotScoring;
  /** The factor on the cosines (two-tower models). */
  logitScale?: number;
  /** The bias of a sigmoid model. */
  logitBias?: number;
  templates: string[];
  labels: string[];
  images: ZeroShotImage[];
}

/** A family's zero-shot scores: `probabilities` (and `similarity`) image-major over the labels, and the prompts as encoded. */
export type PromptScores = Pick<ZeroShotResult, 'scoring' | 'logitScale' | 'logitBias'> & { probabilities: Float32Array; similarity?: Float32Array; prompts: EncodedText[] };

/** Classifies preprocessed `images` with a loaded model. */
export async function classifyZeroShot(model: ModelAdapter, images: PreparedRequest['images'], request: ZeroShotRequest, options: LongRunOptions = {}): Promise<ZeroShotResult> {
  requireSameSize(images);
  const templates = request.templates && request.templates.length > 0 ? request.templates : modelTemplates(model.folder.config);
  const prompts = buildPrompts(request.labels, templates);
  const topK = request.topK ?? DEFAULT_TOP_K;
  requireTopK(topK);
  const pixels = images.map((i) => i.image);
  const texts = prompts.map((p) => p.text);
  const labels = request.labels.length;
  const scores = await model.zeroShotScores(pixels, texts, labels, templates.length, options);
  const cut = scores.prompts.filter((p) => p.truncated).map((p) => `The prompt "${p.text}" is longer than the model's text limit; its end was cut.`);
  const itmNote = 'Single-stream model: each probability is the image-text matching probability of the label\'s prompts (averaged over the templates), scored label by label; they do not sum to 1.';
  return {
    schemaVersion: 1,
    model: {
      name: model.folder.name,
      architecture: model.family,
      executionProvider: model.executionProvider,
      notices: [...(scores.scoring === 'itm' ? [itmNote] : []), ...cut],
    },
    scoring: scores.scoring,
    ...(scores.logitScale !== undefined && { logitScale: scores.logitScale }),
    ...(scores.logitBias !== undefined && { logitBias: scores.logitBias }),
    templates,
    labels: request.labels,
    images: images.map(({ path }, i) => {
      const row = scores.probabilities.subarray(i * labels, (i + 1) * labels);
      return {
        path,
        probabilities: Array.from(row),
        ...(scores.similarity && { similarity: Array.from(scores.similarity.subarray(i * labels, (i + 1) * labels)) }),
        top: topLabels(row, topK).map((hit) => ({ label: request.labels[hit.label], probability: hit.probability })),
      };
    }),
  };
}

/**
 * The one interface every model family implements. The service, the CLI and the providers ask an adapter
 * what it can do (its capabilities) and call its operations; none of them tells families apart by class.
 */
import type { ScoreBatch } from '../../analysis/perturbation/perturbation';
import type { PairKeys } from '../../analysis/probes/retrieval';
import type { Architecture } from '../../shared/analysisResult';
import type { HeadStream } from '../../shared/headImportance';
import type { DetailedAnalysisResult } from '../../shared/attentionDetails';
import type { LongRunOptions } from '../../core/progress';
import type { PreprocessedImage } from '../images/preprocess';
import type { ModelFolder } from '../model/modelFolder';
import type { Size2D } from '../model/preprocessorConfig';
import type { SessionCache } from '../runtime/sessions';
import type { PreparedRequest } from '../tasks/analysisParts';
import type { HeadAblationTarget } from '../tasks/headImportance';
import type { InspectResult } from '../tasks/inspect';
import type { PairPerturbation } from '../tasks/pairPerturbation';
import type { PerturbationScoreKind } from '../tasks/perturbationScores';
import type { ProbeImages } from '../tasks/probeImages';
import type { ProbeRun } from '../tasks/probeParts';
import type { Stopwatch } from '../tasks/stopwatch';
import type { PromptScores } from '../tasks/zeroShot';
import type { GenerationResult } from '../../shared/generationResult';
import type { GenerateOptions, GenerateRequest } from '../tasks/generateRequest';

/** Something a model may or may not give, and why not. */
export type Availability = { available: true } | { available: false; reason: string };

/** What a loaded model can do; views and commands offer what these say, whatever family the model is. */
export interface ModelCapabilities {
  /** Images and texts embedded in one space and compared by cosine similarity. */
  similarity: boolean;
  /** A head that scores each image-text pair as a match. */
  imageTextMatching: boolean;
  /** Writes text about an image. */
  generation: boolean;
  /** Where the attention is: within each tower, or over one joint sequence of text and image tokens. */
  attention: 'towers' | 'joint';
  /** Patch embeddings in the joint space, for patch-level alignment maps. */
  denseMaps: Availability;
  /** The last layer's value path through the model's head, for the MaskCLIP and `values` alignment maps. */
  valuePath: Availability;
  /** The last layer's query-query attention through the model's head, for ClearCLIP's maps; absent, `valuePath` says why not. */
  queryQueryPath?: Availability;
  /** The dataset probes (retrieval, EMAP, perceptual score, modality gap, cross-modal attention share). */
  probes: Availability;
}

/** Whether `capabilities` allow the alignment maps of a value-path method, or why not. */
export function valuePathAvailability(capabilities: ModelCapabilities, method: 'maskclip' | 'values' | 'clearclip'): Availability {
  return method === 'clearclip' ? capabilities.queryQueryPath ?? capabilities.valuePath : capabilities.valuePath;
}

/** A loaded model of some family, with the operations the service's tasks need. */
export interface ModelAdapter {
  /** The family's name, as results report it. */
  readonly family: Architecture;
  readonly folder: ModelFolder;
  /** The provider(s) that run the model's graphs. */
  readonly executionProvider: string;
  readonly capabilities: ModelCapabilities;
  /** Scores, maps and attention details of every image with every text. */
  analyze(request: PreparedRequest, stopwatch: Stopwatch, options?: LongRunOptions): Promise<DetailedAnalysisResult>;
  /** Scores of every image with every label, from `templates` prompts per label (label-major). */
  zeroShotScores(images: PreprocessedImage[], prompts: string[], labels: number, templates: number, options?: LongRunOptions): Promise<PromptScores>;
  /**
   * The probe's model runs over the distinct images and captions of a set (tasks/probe.ts); `keys` map each
   * pair of the set to its distinct image and caption. Model stages are timed on `stopwatch`.
   */
  probe(images: ProbeImages, captions: string[], keys: PairKeys, stopwatch: Stopwatch, options?: LongRunOptions): Promise<ProbeRun>;
  /** The patch grid an image of `size` (after preprocessing) is hidden on by the perturbation methods. */
  perturbationGrid(size: Size2D): { rows: number; cols: number };
  /** The score perturbation methods explain when a request names none, given how many texts there are. */
  defaultScoreKind(texts: number): PerturbationScoreKind;
  /** Scores batches of perturbed copies of `image` by `kind`, for text `text` of `texts`. */
  perturbationScore(image: PreprocessedImage, texts: string[], text: number, kind: PerturbationScoreKind): Promise<ScoreBatch>;
  /**
   * Scores pairs of perturbed copies of `image` with edited token ids of `text`: the text-side analyses (text-token
   * occlusion, MM-SHAP). Absent for families that do not score image-text pairs (generative models).
   */
  pairPerturbationScore?(image: PreprocessedImage, text: string): Promise<PairPerturbation>;
  /**
   * Head ablation (tasks/headImportance.ts): the score of `image` and `text` as a function of a mask over the heads
   * of `stream` (the family's default when undefined), through a masked copy of the graph opened in `cache`. Absent
   * for families that do not offer it.
   */
  headAblation?(image: PreprocessedImage, text: string, stream: HeadStream | undefined, cache: SessionCache): Promise<HeadAblationTarget>;
  /** What the folder holds and what can be observed in it, from one run on a blank input. */
  inspect(notices: string[]): Promise<InspectResult>;
  /** The family's own image preprocessing, when CLIP-style preprocessing of preprocessor_config.json is not it (tiling). */
  preprocessImage?(source: string | Uint8Array, maxPixels?: number): Promise<PreprocessedImage>;
  /** Generative models (capabilities.generation): writes an answer about the images, with per-token attention. */
  generate?(request: GenerateRequest, options?: GenerateOptions): Promise<GenerationResult>;
}

/** A model family: how to recognise its folders and how to open one. */
export interface ModelFamily {
  readonly name: Architecture;
  /** The folder layout the family needs, in the words of an error message. */
  readonly layout: string;
  /** Whether `folder` is laid out for this family (config.json and the graphs present). */
  claims(folder: ModelFolder): boolean;
  /** Loads the graphs and opens their sessions through `sessions`. */
  open(folder: ModelFolder, sessions: SessionCache): Promise<ModelAdapter>;
}

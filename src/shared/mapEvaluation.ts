/**
 * What `mmlens evaluate` measures of the map methods, as the CLI's JSON and the evaluation page (webview/) read it:
 * each method's means, and for a manifest each case's measures and each method's worst cases.
 */
import type { Architecture } from './analysisResult';

/** A map-making method, by its name on the command line and in the JSON. */
export type MapMethod = 'rollout' | 'flow' | 'alignment' | 'maskclip' | 'values' | 'clearclip' | 'occlusion' | 'rise';

/** Every method, in the order the tables list them. */
export const MAP_METHODS: readonly MapMethod[] = ['rollout', 'flow', 'alignment', 'maskclip', 'values', 'clearclip', 'occlusion', 'rise'];

/**
 * What a perturbed image is scored by. Two-tower models: the cosine similarity with the text, or its
 * probability among the given texts (softmax of similarity x logit scale; per pair for sigmoid models).
 * Single-stream models: the image-text matching probability.
 */
export type PerturbationScoreKind = 'similarity' | 'probability' | 'itm';

/** The default number of cases a manifest's evaluation scores, and the most allowed. */
export const DEFAULT_CASE_LIMIT = 100;
export const MAX_CASE_LIMIT = 100_000;

/** A box in image pixels: [x0, y0, x1, y1], x0 < x1 and y0 < y1. */
export type Box = [number, number, number, number];

/** One method's means over every object of every scene; metrics are null when the model cannot make its map. */
export interface MethodSummary {
  name: MapMethod;
  /** Maps measured (objects, when available). */
  maps: number;
  pointingGame: number | null;
  /**
   * The pointing game as TorchRay plays it (evaluation/torchrayPointing.ts): the map resized to the image's pixels,
   * a hit within 15 pixels of a box of the object's class, the mean of the per-class hit rates.
   */
  pointingGameTorchRay: number | null;
  energyInBox: number | null;
  deletionAuc: number | null;
  insertionAuc: number | null;
  /** The curves' areas as Petsiuk et al. measure them (pixels, mean-colour and blurred canvases, raw scores); null unless asked. */
  deletionAucPetsiuk: number | null;
  insertionAucPetsiuk: number | null;
  /** Image forward passes to make one map (the curves not counted). */
  forwardPasses: number | null;
  unavailable?: string;
}

/** The measures of one map; the Petsiuk areas are 0 unless asked. */
export interface Measures {
  pointingGame: number;
  energyInBox: number;
  deletionAuc: number;
  insertionAuc: number;
  deletionAucPetsiuk: number;
  insertionAucPetsiuk: number;
}

/** One image and text, with each method's measures (a method the model cannot make is absent). */
export interface CaseResult {
  image: string;
  text: string;
  /** Where the manifest states it. */
  where: string;
  boxes: Box[];
  measures: Partial<Record<MapMethod, Measures>>;
}

/** The `mmlens evaluate --manifest` JSON. */
export interface ManifestEvaluationResult {
  schemaVersion: number;
  model: { name: string; architecture: Architecture; executionProvider: string };
  manifest: {
    path: string;
    format: 'jsonl' | 'coco';
    images: number;
    limit: number;
    /** True when cases beyond `limit` were left unread. */
    limited: boolean;
    missingImages: { count: number; examples: string[] };
    outsideImages: { count: number; examples: string[] };
    /** Images the model could not take (not an image, cut short, too large), with why. */
    failedImages: { count: number; examples: string[] };
  };
  /** The template COCO categories went through; null for phrases, which are used as written. */
  template: string | null;
  /** The score the perturbation maps explain and the curves follow: for COCO the text's probability among every category's, for a phrase its own score. */
  score: PerturbationScoreKind | null;
  curveSteps: number;
  petsiukCurves: boolean;
  riseMasks: number;
  risePaper: boolean;
  torchRayTolerance: number;
  /** True when the run was cancelled: the figures are those of the cases done. */
  cancelled: boolean;
  /** Why the run ended before the manifest did, when a later row was faulty (the figures are those of the cases before it); else null. */
  stoppedBy: string | null;
  methods: MethodSummary[];
  cases: CaseResult[];
  /** Per method, the indices into `cases` of its worst cases: pointing misses first, then the least energy in the boxes. */
  worst: { method: MapMethod; cases: number[] }[];
}


/** What the evaluation page is given: the result of `mmlens evaluate --manifest`. */
export interface EvaluationReportData {
  result: ManifestEvaluationResult;
}

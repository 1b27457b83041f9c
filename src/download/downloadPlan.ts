/**
 * Chooses which files of a repo make a usable model folder: the configs, the tokenizer and the ONNX graphs of
 * one variant with their external weight files. Repos such as Xenova/clip-* hold a dozen variants of each
 * graph; downloading only the one the loader would pick saves gigabytes.
 */
import { badModel } from '../core/errors';
import { VARIANTS } from '../inference/model/onnxFiles';
import type { RepoFile } from './repoFiles';

/** Files loadModelFolder needs; config.json comes first because it decides which graphs to fetch. */
export const REQUIRED_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json'];
const OPTIONAL_FILES = ['tokenizer_config.json', 'special_tokens_map.json'];

const FOLDERS = ['onnx/', ''];

const EXPECTED =
  'A model for Multimodal Lens needs config.json, preprocessor_config.json, tokenizer.json and ONNX graphs: ' +
  'onnx/vision_model.onnx + onnx/text_model.onnx (a two-tower model such as CLIP or SigLIP; both in one onnx/model.onnx ' +
  'also works, without patch maps), or onnx/model.onnx for a single-stream model; Xenova/clip-vit-base-patch32 is one such repo.';

/** The configs and tokenizer files to fetch, config.json first; throws, naming them, when a required one is missing. */
export function metadataFiles(files: RepoFile[], repo: string): RepoFile[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const missing = REQUIRED_FILES.filter((name) => !byPath.has(name));
  if (missing.length > 0) throw badModel(missing.join(', '), `not found in ${repo}`, EXPECTED);
  // Checked before anything is written: a repo without graphs (a PyTorch or safetensors checkpoint) is common.
  if (!files.some(isGraph)) throw missingGraphs(files, repo, false);
  return [...REQUIRED_FILES, ...OPTIONAL_FILES].flatMap((name) => byPath.get(name) ?? []);
}

/**
 * The graph files of one variant, each followed by its external data files: the joint graph when `joint`
 * (config.json declares a single-stream token layout); else both towers, or, when the repo has no towers, the
 * one graph that holds both (Optimum's default export), which gives everything but the patch maps.
 */
export function graphFiles(files: RepoFile[], repo: string, joint: boolean): RepoFile[] {
  const choices = joint ? [['model']] : [['vision_model', 'text_model'], ['model']];
  for (const roles of choices) {
    for (const variant of VARIANTS) {
      const graphs = roles.map((role) => findGraph(files, `${role}${variant}`));
      if (graphs.every((g) => g !== undefined)) return graphs.flatMap((g) => [g, ...externalData(files, g.path)]);
    }
  }
  throw missingGraphs(files, repo, joint);
}

/** A one-graph export's file name: `model.onnx` or a variant of it, under onnx/ or at the root. */
const ONE_GRAPH = /^(onnx\/)?model(_[a-z0-9]+)?\.onnx$/;

/**
 * SigLIP keeps its trained logit scale and bias only in the one-graph export (neither the towers nor config.json
 * hold them): beside its towers, the smallest variant of onnx/model.onnx, whose structure gives the two numbers
 * (families/twoTower/towerLogits.ts). Without it the probabilities use stand-ins. None for other models.
 */
export function logitHeadGraph(files: RepoFile[], modelType: string, graphs: RepoFile[]): RepoFile[] {
  if (modelType !== 'siglip' || graphs.some((g) => ONE_GRAPH.test(g.path))) return [];
  return files.filter((f) => ONE_GRAPH.test(f.path)).sort((a, b) => a.size - b.size).slice(0, 1);
}

function missingGraphs(files: RepoFile[], repo: string, joint: boolean): Error {
  const onnx = files.filter(isGraph).map((f) => f.path);
  const found = onnx.length === 0 ? 'it has no .onnx files' : `its .onnx files are ${listed(onnx)}`;
  const need = joint ? 'onnx/model.onnx (config.json declares a token_layout)' : 'onnx/vision_model.onnx and onnx/text_model.onnx, or onnx/model.onnx';
  return badModel(repo, `${found}, but the model needs ${need}.`, EXPECTED);
}

function isGraph(file: RepoFile): boolean {
  return file.path.endsWith('.onnx');
}

function findGraph(files: RepoFile[], base: string): RepoFile | undefined {
  for (const folder of FOLDERS) {
    const file = files.find((f) => f.path === `${folder}${base}.onnx`);
    if (file) return file;
  }
  return undefined;
}

/** Weights kept beside a graph over 2 GB: `x.onnx_data`, its chunks `x.onnx_data_1`, ..., or `x.onnx.data`. */
function externalData(files: RepoFile[], graph: string): RepoFile[] {
  return files.filter((f) => f.path.startsWith(graph) && /^(_data(_\d+)?|\.data)$/.test(f.path.slice(graph.length)));
}

function listed(paths: string[]): string {
  return paths.length > 6 ? `${paths.slice(0, 6).join(', ')} and ${paths.length - 6} more` : paths.join(', ');
}

/**
 * Loads a model folder in the Hugging Face layout (transformers.js or Optimum export): the configs, the
 * tokenizer files and where the ONNX graphs are. Real CLIP exports and our bundled demos go through here alike.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isJsonObject, type JsonObject } from './configFields';
import { badModel } from '../../core/errors';
import type { MapFaithfulness } from '../../shared/mapFaithfulness';
import { readMapFaithfulness } from './evaluationFile';
import { readJsonFile } from './jsonFile';
import { parseModelConfig, type ModelConfig } from './modelConfig';
import { findOnnxFiles, GENERATIVE_GRAPHS, type ModelVariant, type OnnxFiles } from './onnxFiles';
import { fixedOutputSize, parsePreprocessorConfig, type PreprocessorConfig, type Size2D } from './preprocessorConfig';

/** A loaded model folder; `files` holds absolute paths of the graphs present. */
export interface ModelFolder {
  dir: string;
  /** The hub id from config `_name_or_path` when it is one, else the folder name. */
  name: string;
  config: ModelConfig;
  preprocessor: PreprocessorConfig;
  tokenizerJson: JsonObject;
  /** tokenizer_config.json merged over special_tokens_map.json ({} when neither exists). */
  tokenizerConfig: JsonObject;
  files: OnnxFiles;
  /** Things a user should know: defaults taken, variants chosen (includes the config's notes). */
  notes: string[];
  /** The pointing game of each map method, from the folder's evaluation.json (`mmlens evaluate`), when it has one. */
  mapFaithfulness?: MapFaithfulness;
}

const LAYOUT =
  'A model folder needs config.json, preprocessor_config.json, tokenizer.json and onnx/vision_model.onnx + ' +
  'onnx/text_model.onnx (or onnx/model.onnx)';
const EXPORT_FIX =
  `${LAYOUT}; export one with \`optimum-cli export onnx --model openai/clip-vit-base-patch32 DIR\` ` +
  'or use the bundled demo model.';
const REQUIRED = ['config.json', 'preprocessor_config.json', 'tokenizer.json'];

/** The pixel size a blank input to the vision graph has: what preprocessing gives, or the config's square when that depends on the image. */
export function blankInputSize(folder: Pick<ModelFolder, 'preprocessor' | 'config'>): Size2D {
  const side = folder.config.vision.imageSize;
  return fixedOutputSize(folder.preprocessor) ?? { height: side, width: side };
}

/**
 * Reads and validates the folder at `dir`, with the graphs of `variant` where it has them; every problem is a
 * LensError naming the file and the fix.
 */
export async function loadModelFolder(dir: string, variant: ModelVariant = 'fp32'): Promise<ModelFolder> {
  const root = resolve(dir);
  await checkIsFolder(root);
  const json = await Promise.all(
    [...REQUIRED, 'tokenizer_config.json', 'special_tokens_map.json'].map((name) => readJsonFile(join(root, name), name, EXPORT_FIX)),
  );
  const missing = REQUIRED.filter((_, i) => json[i] === undefined);
  if (missing.length > 0) throw badModel(missing.join(', '), `not found in ${root}`, await missingFix(root, missing));
  const [rawConfig, rawPreprocessor, tokenizerJson, tokenizerConfig, specialTokens] = json;
  const config = parseModelConfig(rawConfig);
  const preprocessor = parsePreprocessorConfig(rawPreprocessor);

  const notes = [...config.notes, ...preprocessor.notes];
  const files = await findOnnxFiles(root, notes, variant);
  checkGraphs(root, files, config);
  const mapFaithfulness = await readMapFaithfulness(root, notes);
  return {
    dir: root,
    name: modelName(root, rawConfig),
    config,
    preprocessor,
    tokenizerJson: asObject(tokenizerJson, 'tokenizer.json'),
    tokenizerConfig: { ...asOptionalObject(specialTokens, 'special_tokens_map.json'), ...asOptionalObject(tokenizerConfig, 'tokenizer_config.json') },
    files,
    notes,
    ...(mapFaithfulness ? { mapFaithfulness } : {}),
  };
}

async function checkIsFolder(root: string): Promise<void> {
  const info = await stat(root).catch(() => undefined);
  if (!info) throw badModel(root, 'model folder not found', `Check the path. ${EXPORT_FIX}`);
  if (!info.isDirectory()) {
    throw badModel(root, 'is a file, not a model folder', `Choose the folder that holds config.json and the onnx files, e.g. ${dirname(root)}.`);
  }
}

/** A folder saved by transformers without the fast tokenizer has vocab.json + merges.txt only. */
async function missingFix(root: string, missing: string[]): Promise<string> {
  const slowTokenizer = await stat(join(root, 'vocab.json')).then(() => true, () => false);
  if (missing.includes('tokenizer.json') && slowTokenizer) {
    return (
      'This folder has vocab.json but no tokenizer.json; write one with Python: ' +
      '`AutoTokenizer.from_pretrained(DIR).save_pretrained(DIR)` (transformers saves the fast tokenizer).'
    );
  }
  return EXPORT_FIX;
}

function checkGraphs(root: string, files: OnnxFiles, config: ModelConfig): void {
  if (config.tokenLayout && !files.joint) {
    throw badModel('onnx/model.onnx', `not found in ${root}; config.json declares a token_layout (a single-stream model), which needs one joint graph`, EXPORT_FIX);
  }
  const generative = (Object.keys(GENERATIVE_GRAPHS) as (keyof typeof GENERATIVE_GRAPHS)[]).filter((role) => files[role]);
  if (generative.length > 0 && generative.length < 3) {
    const absent = Object.entries(GENERATIVE_GRAPHS).filter(([role]) => !files[role as keyof OnnxFiles]).map(([, base]) => `onnx/${base}.onnx`);
    throw badModel(absent.join(', '), `not found in ${root}; a generative model needs onnx/vision_encoder.onnx, onnx/embed_tokens.onnx and onnx/decoder_model_merged.onnx`, 'Download the missing graph from the model\'s repository (transformers.js layout), or export the model again.');
  }
  if (files.joint || (files.vision && files.text) || generative.length === 3) return;
  const absent = files.vision ? 'onnx/text_model.onnx' : files.text ? 'onnx/vision_model.onnx' : 'onnx/vision_model.onnx, onnx/text_model.onnx, onnx/model.onnx';
  throw badModel(absent, `not found in ${root} (nor at the folder root)`, EXPORT_FIX);
}

function modelName(root: string, config: unknown): string {
  const named = isJsonObject(config) ? config._name_or_path : undefined;
  // Exports from a local checkpoint record a filesystem path, which says nothing useful; keep hub ids only.
  const isPath = (s: string) => isAbsolute(s) || s.startsWith('.') || s.includes('\\') || /^[A-Za-z]:/.test(s);
  if (typeof named === 'string' && named.trim() !== '' && !isPath(named)) return named;
  return basename(root);
}

function asObject(value: unknown, name: string): JsonObject {
  if (!isJsonObject(value)) throw badModel(name, 'must hold a JSON object', EXPORT_FIX);
  return value;
}

function asOptionalObject(value: unknown, name: string): JsonObject {
  return value === undefined ? {} : asObject(value, name);
}

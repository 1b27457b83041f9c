/**
 * config.json of a model folder, normalised: the few numbers the inference core needs, whichever of the HF
 * spellings (CLIP, SigLIP, old `*_config_dict` exports, our own single-stream demos) the file uses.
 */
import { FieldReader, isJsonObject, type JsonObject } from './configFields';
import { badModel } from '../../core/errors';
import type { TokenLayout } from '../../core/tokenLayout';
import { parseTokenLayout } from './tokenLayout';
import { quoteJson } from '../../core/quoteJson';

/**
 * A scalar the model learned: from config.json, from the weights of a one-graph export beside the towers
 * (families/twoTower/towerLogits.ts), or `default`, a stand-in because neither had it.
 */
export interface LearnedScalar {
  value: number;
  source: 'config' | 'weights' | 'default';
}

/** The vision tower's shape. */
export interface VisionConfig {
  imageSize: number;
  patchSize: number;
  hidden?: number;
  layers?: number;
  heads?: number;
}

/** The text tower's shape and special token ids as config.json states them (the tokenizer files win). */
export interface TextConfig {
  maxLength: number;
  eosTokenId?: number;
  bosTokenId?: number;
  padTokenId?: number;
  hidden?: number;
  layers?: number;
  heads?: number;
}

/** The normalised config.json. */
export interface ModelConfig {
  modelType: string;
  projectionDim?: number;
  /** Multiplies cosine similarities before the softmax (CLIP) or sigmoid (SigLIP); already exponentiated. */
  logitScale: LearnedScalar;
  /** SigLIP's additive bias before the sigmoid; absent for softmax models. */
  logitBias?: LearnedScalar;
  vision: VisionConfig;
  text: TextConfig;
  /** Present only for single-stream models. */
  tokenLayout?: TokenLayout;
  /** Zero-shot prompt templates the model was trained with, when config.json says (`prompt_templates`, our models). */
  promptTemplates?: string[];
  /** Things a user should know about how the file was read (defaults taken, legacy values ignored). */
  notes: string[];
}

const FILE = 'config.json';

/** Per-family defaults of HF's config classes, used when an export omits a field that equals the default. */
const familyDefaults: Record<string, { patchSize: number; maxLength: number }> = {
  siglip: { patchSize: 16, maxLength: 64 },
  clip: { patchSize: 32, maxLength: 77 },
};

/**
 * Model types whose image size is their image processor's alone (it varies with the image): their vision_config has
 * no image_size, and that is no news to the user.
 */
const SIZED_BY_PROCESSOR = new Set(['qwen2_vl', 'qwen2_5_vl']);

/** CLIP's trained logit scale: training clamps it at 100 and every released checkpoint sits at the clamp. */
const CLIP_LOGIT_SCALE = 100;
/** SigLIP's initial scale and bias (log 10 and -10); the trained values are weights, not config. */
export const SIGLIP_INIT = { scale: 10, bias: -10 };

/** Normalises parsed config.json; throws a badModel error naming the field for invalid values. */
export function parseModelConfig(json: unknown): ModelConfig {
  if (!isJsonObject(json)) throw badModel(FILE, 'must hold a JSON object', 'Export the model again.');
  const reader = new FieldReader(FILE);
  const notes: string[] = [];
  const modelType = typeof json.model_type === 'string' && json.model_type !== '' ? json.model_type : 'unknown';
  if (modelType === 'unknown') notes.push('config.json has no model_type; reading it as a CLIP-like model.');
  // Own keys only: "constructor" or "__proto__" as model_type would otherwise find Object.prototype's members.
  const family = Object.hasOwn(familyDefaults, modelType) ? familyDefaults[modelType] : familyDefaults.clip;

  const config: ModelConfig = {
    modelType,
    logitScale: { value: CLIP_LOGIT_SCALE, source: 'default' },
    vision: parseVision(json, reader, family.patchSize, SIZED_BY_PROCESSOR.has(modelType) ? [] : notes),
    text: parseText(json, reader, family.maxLength, modelType, notes),
    notes,
  };
  const projectionDim = reader.number(json, 'projection_dim', 'positiveInt');
  if (projectionDim !== undefined) config.projectionDim = projectionDim;

  const scale = reader.number(json, 'logit_scale', 'positive');
  const bias = reader.number(json, 'logit_bias', 'any');
  if (scale !== undefined) config.logitScale = { value: scale, source: 'config' };
  if (modelType === 'siglip') {
    if (scale === undefined) config.logitScale = { value: SIGLIP_INIT.scale, source: 'default' };
    config.logitBias = bias === undefined ? { value: SIGLIP_INIT.bias, source: 'default' } : { value: bias, source: 'config' };
  } else if (bias !== undefined) {
    config.logitBias = { value: bias, source: 'config' };
  }

  const tokenLayout = parseTokenLayout(json, reader);
  if (tokenLayout) config.tokenLayout = tokenLayout;
  const templates = parseTemplates(json.prompt_templates, reader);
  if (templates) config.promptTemplates = templates;
  return config;
}

/** The most templates and characters per template a config.json may name (the settings' bounds). */
const TEMPLATE_LIMITS = { count: 16, chars: 200 };

/** `prompt_templates`: 1 to 16 strings, each with a {label} placeholder. */
function parseTemplates(value: unknown, reader: FieldReader): string[] | undefined {
  if (value === undefined) return undefined;
  const fine = Array.isArray(value) && value.length >= 1 && value.length <= TEMPLATE_LIMITS.count
    && value.every((t) => typeof t === 'string' && t.includes('{label}') && t.length <= TEMPLATE_LIMITS.chars);
  if (!fine) throw reader.invalid('prompt_templates', `must be a list of 1 to ${TEMPLATE_LIMITS.count} strings of at most ${TEMPLATE_LIMITS.chars} characters, each with a {label} placeholder, got ${quoteJson(value)}`);
  return value as string[];
}

/** The sub-config `key` (or its old `*_dict` spelling); models without towers keep the fields at the root. */
function section(json: JsonObject, key: string, reader: FieldReader): { obj: JsonObject; path: string } {
  for (const name of [key, `${key}_dict`]) {
    const obj = reader.object(json, name);
    if (obj) return { obj, path: `${name}.` };
  }
  return { obj: json, path: '' };
}

/** The vision sub-config; a default taken is said in `notes`. */
function parseVision(json: JsonObject, reader: FieldReader, defaultPatch: number, notes: string[]): VisionConfig {
  const { obj, path } = section(json, 'vision_config', reader);
  const read = (key: string) => reader.number(obj, key, 'positiveInt', path + key);
  const withDefault = (key: string, fallback: number) => {
    const value = read(key);
    if (value !== undefined) return value;
    notes.push(`config.json has no ${path}${key}; assuming ${fallback}.`);
    return fallback;
  };
  return compact({
    imageSize: withDefault('image_size', 224),
    patchSize: withDefault('patch_size', defaultPatch),
    hidden: read('hidden_size'),
    layers: read('num_hidden_layers'),
    heads: read('num_attention_heads'),
  });
}

function parseText(json: JsonObject, reader: FieldReader, defaultMax: number, modelType: string, notes: string[]): TextConfig {
  const { obj, path } = section(json, 'text_config', reader);
  const read = (key: string, rule: 'positiveInt' | 'nonNegativeInt' = 'positiveInt') =>
    reader.number(obj, key, rule, path + key);
  const text: TextConfig = {
    maxLength: read('max_position_embeddings') ?? defaultMax,
    eosTokenId: read('eos_token_id', 'nonNegativeInt'),
    bosTokenId: read('bos_token_id', 'nonNegativeInt'),
    padTokenId: read('pad_token_id', 'nonNegativeInt'),
    hidden: read('hidden_size'),
    layers: read('num_hidden_layers'),
    heads: read('num_attention_heads'),
  };
  // The original OpenAI CLIP configs say bos 0 / pad 1 / eos 2, which are not the tokenizer's ids (HF itself
  // special-cases eos 2 as "legacy"); keeping them would point pooling and padding at the wrong tokens.
  if (modelType === 'clip' && text.eosTokenId === 2) {
    notes.push('text_config has the legacy CLIP token ids (bos 0, pad 1, eos 2); the tokenizer files are used instead.');
    text.eosTokenId = text.bosTokenId = text.padTokenId = undefined;
  }
  return compact(text);
}

/** Drops undefined fields so results compare and serialise cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

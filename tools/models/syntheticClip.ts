/**
 * Writes a synthetic CLIP model folder (Hugging Face layout) from seeded random weights: real architecture,
 * meaningless weights. Tests and benchmarks use it where a real model cannot be downloaded; ViT-B sizes
 * take seconds and about one tower's weights of memory, because each tower is streamed to disk and dropped.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { buildTextTower, buildVisionTower } from './clipTowers';
import { clipConfig, copyTokenizer, preprocessorConfig, siglipConfig, siglipPreprocessorConfig, wordLevelTokenizer, type SpecialTokenIds } from './clipFiles';
import { buildSiglipTextTower, buildSiglipVisionTower } from './siglipTowers';
import type { Activation, AttentionLayout } from './transformerBlocks';

/** Where the tokenizer comes from: a word list (word-level tokenizer) or a folder of tokenizer files. */
export type TokenizerSource = { words: string[] } | { copyFrom: string };

/** Every knob of a synthetic CLIP (or SigLIP: the same knobs, its own towers and config files). */
export interface SyntheticClipOptions {
  /** CLIP's towers (CLS token, projections, causal text) or SigLIP's (attention-pooling head, pooler_output). */
  family: 'clip' | 'siglip';
  imageSize: number;
  patchSize: number;
  width: number;
  layers: number;
  heads: number;
  mlpRatio: number;
  textWidth: number;
  textLayers: number;
  textHeads: number;
  /** Rows of the token embedding; at least the tokenizer's largest id + 1 (that value when left out). */
  vocabSize: number;
  maxLength: number;
  projectionDim: number;
  seed: number;
  attentionLayout: AttentionLayout;
  /** Use com.microsoft MultiHeadAttention (vision) and Attention (text) instead of an explicit Softmax. */
  fusedAttention: boolean;
  activation: Activation;
  /** exp(logit_scale): the factor on cosine similarities, written to config.json as `logit_scale`. */
  logitScale: number;
  /** Also write onnx/*_quantized.onnx: the same towers with every linear layer in dynamic int8 form, as transformers.js ships them. */
  quantized: boolean;
  tokenizer: TokenizerSource;
}

/** Named sizes. */
export type SyntheticClipPreset = 'tiny' | 'tiny-siglip' | 'vit-b-32' | 'vit-b-16' | 'vit-l-14-336' | 'siglip-so400m-384';

/** Words of the default tokenizer: enough for captions of simple coloured shapes. */
export const demoWords = [
  'a', 'an', 'the', 'photo', 'picture', 'of', 'and', 'on', 'with', 'red', 'green', 'blue', 'yellow', 'black', 'white',
  'circle', 'square', 'triangle', 'cat', 'dog', 'big', 'small', 'left', 'right', 'background',
];

const base: Omit<SyntheticClipOptions, 'vocabSize'> = {
  family: 'clip', imageSize: 32, patchSize: 8, width: 32, layers: 2, heads: 4, mlpRatio: 4,
  textWidth: 32, textLayers: 2, textHeads: 4, maxLength: 16, projectionDim: 16,
  seed: 0, attentionLayout: '4d', fusedAttention: false, activation: 'quickGelu', logitScale: 100, quantized: false,
  tokenizer: { words: demoWords },
};

const vitB: Partial<SyntheticClipOptions> = {
  imageSize: 224, width: 768, layers: 12, heads: 12, textWidth: 512, textLayers: 12, textHeads: 8,
  vocabSize: 49408, maxLength: 77, projectionDim: 512,
};

const siglip: Partial<SyntheticClipOptions> = { family: 'siglip', activation: 'geluTanh', logitScale: 10 };

/** The options each preset changes from the tiny defaults. */
export const syntheticClipPresets: Record<SyntheticClipPreset, Partial<SyntheticClipOptions>> = {
  tiny: {},
  'tiny-siglip': siglip,
  'vit-b-32': { ...vitB, patchSize: 32 },
  'vit-b-16': { ...vitB, patchSize: 16 },
  // openai/clip-vit-large-patch14-336, LLaVA's vision tower: 24 layers x 16 heads over 577 tokens.
  'vit-l-14-336': { ...vitB, imageSize: 336, patchSize: 14, width: 1024, layers: 24, heads: 16, textWidth: 768, textHeads: 12, projectionDim: 768 },
  // google/siglip-so400m-patch14-384: 27 layers x 16 heads over 729 patches, MLP 4304, both towers 1152 wide, texts of 64.
  'siglip-so400m-384': {
    ...siglip, imageSize: 384, patchSize: 14, width: 1152, layers: 27, heads: 16, mlpRatio: 4304 / 1152,
    textWidth: 1152, textLayers: 27, textHeads: 16, vocabSize: 32000, maxLength: 64, projectionDim: 1152,
  },
};

/** What was written. */
export interface SyntheticClipInfo {
  dir: string;
  options: SyntheticClipOptions;
  tokenIds: SpecialTokenIds;
  /** CLS + patches for CLIP, patches for SigLIP. */
  visionTokens: number;
}

/** Writes config.json, preprocessor_config.json, tokenizer files and onnx/{vision,text}_model.onnx (and their `_quantized` forms when asked) into `dir`. */
export function writeSyntheticClip(dir: string, options: Partial<SyntheticClipOptions> = {}): SyntheticClipInfo {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const merged = { ...base, ...options };
  const tokenizer = 'copyFrom' in merged.tokenizer
    ? copyTokenizer(merged.tokenizer.copyFrom, dir, merged.maxLength)
    : wordLevelTokenizer(merged.tokenizer.words, merged.maxLength);
  const o: SyntheticClipOptions = { ...merged, vocabSize: merged.vocabSize ?? tokenizer.vocabSize };
  check(o, tokenizer.vocabSize);
  const json = (name: string, value: unknown) => writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  for (const [name, value] of Object.entries(tokenizer.files)) json(name, value);
  const clip = o.family === 'clip';
  json('config.json', clip ? clipConfig(o, tokenizer.ids) : siglipConfig(o, tokenizer.ids));
  json('preprocessor_config.json', clip ? preprocessorConfig(o) : siglipPreprocessorConfig(o));
  // One tower at a time, so only its weights are in memory.
  for (const quantized of o.quantized ? [false, true] : [false]) {
    const suffix = quantized ? '_quantized' : '';
    writeChunks(join(dir, 'onnx', `vision_model${suffix}.onnx`), (clip ? buildVisionTower(o, quantized) : buildSiglipVisionTower(o)).toChunks());
    writeChunks(join(dir, 'onnx', `text_model${suffix}.onnx`), (clip ? buildTextTower(o, tokenizer.ids.eos, quantized) : buildSiglipTextTower(o)).toChunks());
  }
  return { dir, options: o, tokenIds: tokenizer.ids, visionTokens: Math.floor(o.imageSize / o.patchSize) ** 2 + (clip ? 1 : 0) };
}

function check(o: SyntheticClipOptions, neededVocab: number): void {
  const problems = [
    // SigLIP-So400m's 384 px over 14 px patches: the patch Conv drops the last 6 pixels, as in the released model.
    o.family === 'clip' && o.imageSize % o.patchSize !== 0 && `imageSize ${o.imageSize} is not a multiple of patchSize ${o.patchSize}`,
    o.width % o.heads !== 0 && `width ${o.width} is not a multiple of heads ${o.heads}`,
    o.textWidth % o.textHeads !== 0 && `textWidth ${o.textWidth} is not a multiple of textHeads ${o.textHeads}`,
    o.vocabSize < neededVocab && `vocabSize ${o.vocabSize} is below the tokenizer's ${neededVocab} ids`,
    (o.layers < 1 || o.textLayers < 1) && 'each tower needs at least one layer',
    o.family === 'siglip' && o.quantized && 'quantized SigLIP towers are not written',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`Synthetic CLIP options: ${problems.join('; ')}.`);
}

/** Writes an encoded model's chunks to `path` one after another, without joining them in memory. */
export function writeChunks(path: string, chunks: Uint8Array[]): void {
  const fd = openSync(path, 'w');
  try {
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done, chunk.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

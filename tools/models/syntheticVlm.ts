/**
 * Writes a synthetic generative VLM folder in transformers.js's image-text-to-text layout (the files of
 * test/fixtures/tiny-llava: onnx/vision_encoder.onnx, onnx/embed_tokens.onnx, onnx/decoder_model_merged.onnx and
 * the JSON files beside them) from seeded random weights: a real LLaVA-style architecture with a Llama decoder,
 * meaningless weights. The `smolvlm-256m` preset's decoder has SmolVLM-256M's text model size (SmolLM2-135M:
 * 30 layers of width 576, 9 query heads over 3 key/value heads); `tiny` is the same builder at test size. Each
 * graph is written as soon as it is built, so only one graph's weights are in memory.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLlamaDecoder, type LlamaConfig } from './llamaDecoder';
import { writeChunks } from './syntheticClip';
import { VLM_TOKEN_IDS, vlmJsonFiles } from './vlmFiles';
import { buildEmbedTokens, buildVisionEncoder, type VisionTowerConfig } from './vlmTowers';

/** Every knob of a synthetic VLM. */
export interface SyntheticVlmOptions {
  vision: VisionTowerConfig;
  decoder: LlamaConfig;
  /** max_position_embeddings: the longest prompt plus answer. */
  maxPositions: number;
  /** generation_config.json's eos_token_id. */
  endTokenId: number;
  seed: number;
}

/** Named sizes. */
export type SyntheticVlmPreset = 'tiny' | 'smolvlm-256m';

const tiny: SyntheticVlmOptions = {
  // 48 x 48 in patches of 8, CLIP's normalisation: the preprocessing of test/fixtures/tiny-llava.
  vision: { imageSize: 48, patchSize: 8, width: 32, layers: 1, heads: 2 },
  decoder: { hidden: 64, layers: 2, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128, vocab: 96, ropeTheta: 10000, rmsEps: 1e-5, fusedAttention: false },
  maxPositions: 128,
  endTokenId: VLM_TOKEN_IDS.eos,
  seed: 0,
};

/** The options of each preset. */
export const syntheticVlmPresets: Record<SyntheticVlmPreset, SyntheticVlmOptions> = {
  tiny,
  'smolvlm-256m': {
    // 64 image tokens (8 x 8 patches of 8 pixels); SmolLM2-135M's decoder.
    vision: { imageSize: 64, patchSize: 8, width: 128, layers: 2, heads: 4 },
    decoder: { hidden: 576, layers: 30, heads: 9, kvHeads: 3, headDim: 64, intermediate: 1536, vocab: 49280, ropeTheta: 100000, rmsEps: 1e-5, fusedAttention: false },
    maxPositions: 8192,
    endTokenId: VLM_TOKEN_IDS.eos,
    seed: 0,
  },
};

/** A VLM folder's three graphs. */
export interface VlmOnnxFiles {
  visionEncoder: string;
  embedTokens: string;
  decoder: string;
}

/** What was written. */
export interface SyntheticVlmInfo {
  dir: string;
  options: SyntheticVlmOptions;
  files: VlmOnnxFiles;
  /** Their sizes together, in bytes. */
  bytes: number;
  imageTokens: number;
}

/** Writes the folder into `dir`; `options` changes the `tiny` preset (decoder fields one by one). */
export function writeSyntheticVlm(dir: string, options: Partial<Omit<SyntheticVlmOptions, 'decoder'>> & { decoder?: Partial<LlamaConfig> } = {}): SyntheticVlmInfo {
  const o: SyntheticVlmOptions = { ...tiny, ...options, decoder: { ...tiny.decoder, ...options.decoder } };
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const [name, value] of Object.entries(vlmJsonFiles(o))) writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  const files = vlmOnnxFiles(dir);
  // Separate streams per graph, so the decoder's weights do not depend on the vision tower's size.
  writeChunks(files.visionEncoder, buildVisionEncoder(o.vision, o.decoder.hidden, o.seed * 3 + 1).toChunks());
  writeChunks(files.embedTokens, buildEmbedTokens(o.decoder.vocab, o.decoder.hidden, o.seed * 3 + 2).toChunks());
  writeChunks(files.decoder, buildLlamaDecoder(o.decoder, o.seed * 3 + 3).toChunks());
  return { dir, options: o, files, bytes: onnxBytes(files), imageTokens: (o.vision.imageSize / o.vision.patchSize) ** 2 };
}

/** The three ONNX files of a VLM folder, by transformers.js's names. */
export function vlmOnnxFiles(dir: string): VlmOnnxFiles {
  const file = (name: string) => join(dir, 'onnx', `${name}.onnx`);
  return { visionEncoder: file('vision_encoder'), embedTokens: file('embed_tokens'), decoder: file('decoder_model_merged') };
}

/** The files' sizes together, in bytes. */
export function onnxBytes(files: VlmOnnxFiles): number {
  return Object.values(files).reduce((sum, file) => sum + statSync(file).size, 0);
}

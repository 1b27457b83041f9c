/**
 * The benchmark's models: synthetic CLIP folders of real ViT-B/32, ViT-B/16 and ViT-L/14@336 size and architecture
 * and a SigLIP-So400m@384 folder, with random weights (tools/models/syntheticClip.ts), and a synthetic VLM with SmolVLM-256M's decoder size
 * (tools/models/syntheticVlm.ts), generated into a scratch folder, never committed; and the arithmetic the
 * CLIP towers cost, counted from the architecture.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticClipPresets, writeSyntheticClip } from '../models/syntheticClip';
import { onnxBytes, syntheticVlmPresets, vlmOnnxFiles, writeSyntheticVlm, type SyntheticVlmOptions, type VlmOnnxFiles } from '../models/syntheticVlm';

/** The vision tower's shape, as config.json gives it. */
export interface VisionShape {
  imageSize: number;
  patchSize: number;
  width: number;
  layers: number;
  heads: number;
  /** The MLP's hidden width (intermediate_size). */
  mlpWidth: number;
  projectionDim: number;
}

/** A generated model folder and what it is. */
export interface BenchModel {
  /** "ViT-B/32", "ViT-B/16", "ViT-L/14@336" or "SigLIP-So400m@384". */
  label: string;
  dir: string;
  vision: string;
  text: string;
  /** ViT-B/16 only: the vision tower in dynamic int8 form (onnx/vision_model_quantized.onnx). */
  visionQuantized?: string;
  shape: VisionShape;
  /** CLS + patches (SigLIP: patches). */
  visionTokens: number;
  /** Both ONNX files together. */
  bytes: number;
}

const presets = { 'ViT-B/32': 'vit-b-32', 'ViT-B/16': 'vit-b-16', 'ViT-L/14@336': 'vit-l-14-336', 'SigLIP-So400m@384': 'siglip-so400m-384' } as const;

/** The label of each benchmark model. */
export type BenchModelLabel = keyof typeof presets;

/**
 * The model folder for `label` under `root`: reused when a previous run wrote it with the same options
 * (a marker file holds them), else written now (seconds, one tower's weights in memory at a time).
 */
export function benchModel(root: string, label: BenchModelLabel): BenchModel {
  const dir = join(root, presets[label]);
  const marker = join(dir, 'bench-options.json');
  // ViT-B/16 also gets its `_quantized` towers, for the int8 figures.
  const options = { ...syntheticClipPresets[presets[label]], quantized: label === 'ViT-B/16' };
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== JSON.stringify(options)) {
    writeSyntheticClip(dir, options);
    writeFileSync(marker, JSON.stringify(options));
  }
  const vision = join(dir, 'onnx', 'vision_model.onnx');
  const text = join(dir, 'onnx', 'text_model.onnx');
  const shape = visionShape(dir);
  const visionQuantized = options.quantized ? join(dir, 'onnx', 'vision_model_quantized.onnx') : undefined;
  const classToken = options.family === 'siglip' ? 0 : 1;
  return { label, dir, vision, text, ...(visionQuantized && { visionQuantized }), shape, visionTokens: Math.floor(shape.imageSize / shape.patchSize) ** 2 + classToken, bytes: statSync(vision).size + statSync(text).size };
}

/** The generation figures' model folder: a synthetic VLM whose decoder has SmolVLM-256M's text model size. */
export interface BenchVlm {
  dir: string;
  files: VlmOnnxFiles;
  options: SyntheticVlmOptions;
  /** The three ONNX files together. */
  bytes: number;
}

/** The synthetic VLM under `root`, reused as benchModel reuses its folders, else written now (seconds). */
export function benchVlm(root: string): BenchVlm {
  const dir = join(root, 'smolvlm-256m');
  const marker = join(dir, 'bench-options.json');
  const options = syntheticVlmPresets['smolvlm-256m'];
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== JSON.stringify(options)) {
    writeSyntheticVlm(dir, options);
    writeFileSync(marker, JSON.stringify(options));
  }
  const files = vlmOnnxFiles(dir);
  return { dir, files, options, bytes: onnxBytes(files) };
}

function visionShape(dir: string): VisionShape {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
    /** Absent for SigLIP, whose embeddings keep the tower's width. */
    projection_dim?: number;
    vision_config: Record<'image_size' | 'patch_size' | 'hidden_size' | 'num_hidden_layers' | 'num_attention_heads' | 'intermediate_size', number>;
  };
  const v = config.vision_config;
  return {
    imageSize: v.image_size, patchSize: v.patch_size, width: v.hidden_size, layers: v.num_hidden_layers,
    heads: v.num_attention_heads, mlpWidth: v.intermediate_size, projectionDim: config.projection_dim ?? v.hidden_size,
  };
}

/**
 * Floating-point operations (a multiply-add counts 2) of one image through the vision tower: the patch
 * convolution; per layer the Q/K/V and output projections (8·T·D²), the MLP (4·T·D·M) and the two attention
 * products (4·T²·D); the final projection. LayerNorms, softmax and GELU are left out (under 1 %).
 */
export function visionFlops(s: VisionShape): number {
  const patches = (s.imageSize / s.patchSize) ** 2;
  const tokens = patches + 1;
  const d = s.width;
  const conv = 2 * patches * d * 3 * s.patchSize ** 2;
  const perLayer = 8 * tokens * d * d + 4 * tokens * d * s.mlpWidth + 4 * tokens * tokens * d;
  return conv + s.layers * perLayer + 2 * d * s.projectionDim;
}

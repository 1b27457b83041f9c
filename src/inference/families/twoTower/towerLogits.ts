/**
 * The logit scale and bias a two-tower model's probabilities use. CLIP and SigLIP towers do not hold them; the
 * one-graph export transformers.js ships beside the towers (onnx/model.onnx) does, so it is read when present
 * (its structure only), else config.json's values or the family's stand-ins, with a note saying so.
 */
import { LensError } from '../../../core/errors';
import type { LearnedScalar } from '../../model/modelConfig';
import { SIGLIP_INIT } from '../../model/modelConfig';
import type { ModelFolder } from '../../model/modelFolder';
import { readLogitHead } from '../../onnx/logitHead';
import type { OnnxGraph } from '../../onnx/onnxTypes';
import { readGraph } from '../../runtime/tappedGraph';
import { relative } from 'node:path';

/** The scale (and bias: sigmoid scores) the probabilities use, with what a user should know about them. */
export interface TowerLogits {
  scale: LearnedScalar;
  bias?: LearnedScalar;
  notes: string[];
}

/**
 * Reads the trained values from the folder's one-graph export when it has one (`graph`, when it is already read),
 * else takes config.json's. Beside both towers the one graph is read for these two numbers only, so a broken one is
 * a note, not a failed load.
 */
export async function towerLogits(folder: ModelFolder, graph?: OnnxGraph): Promise<TowerLogits> {
  const { logitScale, logitBias } = folder.config;
  const { joint, vision, text } = folder.files;
  const notes: string[] = [];
  let head;
  try {
    head = joint ? readLogitHead(graph ?? (await readGraph(joint))) : undefined;
  } catch (error) {
    if (!(vision && text) || !(error instanceof LensError)) throw error;
    notes.push(`${error.message} Its logit scale and bias were not read; the towers run without it.`);
  }
  if (head) {
    const weights = (value: number): LearnedScalar => ({ value, source: 'weights' });
    return { scale: weights(head.scale), ...(head.bias !== undefined && { bias: weights(head.bias) }), notes };
  }
  if (logitBias && (logitBias.source === 'default' || logitScale.source === 'default')) {
    const where = joint ? `${relative(folder.dir, joint)} has no logits_per_image computed from them` : 'the folder has no onnx/model.onnx to read them from';
    notes.push(
      `SigLIP keeps its trained logit scale and bias in the weights, not config.json, and ${where}; sigmoid scores use the ` +
        `initial values (scale ${SIGLIP_INIT.scale}, bias ${SIGLIP_INIT.bias}), so probabilities are indicative only.`,
    );
  }
  return { scale: logitScale, ...(logitBias && { bias: logitBias }), notes };
}

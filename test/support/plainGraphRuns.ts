/**
 * Plain onnxruntime runs of a graph edited by hand, independent of the product's taps and surgery: every Softmax's
 * output read as a graph output (the attention of each layer), and a vision tower's head applied to every token
 * by feeding it the whole hidden state instead of the CLS token (the patch embeddings).
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModelMessage, type ModelMessage } from '../fuzz/onnxMutations';

async function runEdited(file: string, edit: (model: ModelMessage) => string[], feeds: Record<string, ort.Tensor>): Promise<Float32Array[]> {
  const model = decodeModel(readFileSync(file));
  const outputs = edit(model);
  const session = await ort.InferenceSession.create(encodeModelMessage(model));
  try {
    const result = await session.run(feeds, outputs);
    return outputs.map((name) => result[name].data as Float32Array);
  } finally {
    await session.release();
  }
}

/** Each Softmax's output of `file`, in graph order, from one run on `feeds`. */
export function softmaxOutputs(file: string, feeds: Record<string, ort.Tensor>): Promise<Float32Array[]> {
  return runEdited(file, (model) => {
    const graph = model.graph!;
    const probs = graph.node.filter((n) => n.opType === 'Softmax').map((n) => n.output[0]);
    graph.output.push(...probs.map((name) => ({ name, type: { tensorType: { elemType: 1 } } })));
    return probs;
  }, feeds);
}

/**
 * `embeds` of a CLIP vision tower for every token ([images, tokens, projection]): the nodes that read the CLS token
 * (a Gather of `hidden`) read `hidden` itself, and the output's declared shape is dropped.
 */
export async function everyTokenEmbeds(file: string, feeds: Record<string, ort.Tensor>, hidden: string, embeds: string): Promise<Float32Array> {
  const [result] = await runEdited(file, (model) => {
    const graph = model.graph!;
    const cls = graph.node.find((n) => n.opType === 'Gather' && n.input[0] === hidden)!.output[0];
    for (const node of graph.node) node.input = node.input.map((t) => (t === cls ? hidden : t));
    const output = graph.output.find((o) => o.name === embeds)!;
    output.type = { tensorType: { elemType: 1 } };
    return [embeds];
  }, feeds);
  return result;
}

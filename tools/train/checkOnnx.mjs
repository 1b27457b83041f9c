/**
 * Checks an exported demo model against PyTorch: runs each ONNX file with onnxruntime-node on the inputs
 * the export script saved and compares with PyTorch's outputs, and tokenises the saved captions with
 * @huggingface/tokenizers (the extension's tokeniser) to compare with the ids Python trained with.
 *
 * Usage: node tools/train/checkOnnx.mjs <reference folder>   (e.g. /tmp/shapes-train/reference-clip)
 * Every sub-folder holding a manifest.json is checked; exits 1 on any mismatch.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';

/** Outputs agree when |onnx - torch| <= ATOL + RTOL * |torch| everywhere. */
const ATOL = 1e-4;
const RTOL = 1e-3;

const typed = { float32: Float32Array, int64: BigInt64Array };
const ortType = { float32: 'float32', int64: 'int64' };

function readTensor(folder, spec) {
  const bytes = readFileSync(join(folder, spec.file));
  const Ctor = typed[spec.dtype];
  if (!Ctor) throw new Error(`unsupported dtype ${spec.dtype} in ${folder}`);
  const data = new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
  return new ort.Tensor(ortType[spec.dtype], data, spec.shape);
}

async function checkGraph(folder) {
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
  const session = await ort.InferenceSession.create(manifest.model);
  const feeds = Object.fromEntries(Object.entries(manifest.inputs).map(([name, spec]) => [name, readTensor(folder, spec)]));
  const results = await session.run(feeds);
  let ok = true;
  for (const [name, spec] of Object.entries(manifest.outputs)) {
    const want = readTensor(folder, spec).data;
    const got = results[name];
    const sameShape = got && got.dims.join(',') === spec.shape.join(',');
    let worst = 0;
    let bad = 0;
    for (let i = 0; sameShape && i < want.length; i++) {
      const diff = Math.abs(got.data[i] - want[i]);
      worst = Math.max(worst, diff);
      if (!(diff <= ATOL + RTOL * Math.abs(want[i]))) bad++;
    }
    const pass = sameShape && bad === 0;
    ok &&= pass;
    const shape = got ? `[${got.dims.join(', ')}]` : 'missing';
    console.log(`${pass ? 'ok  ' : 'FAIL'} ${manifest.model} ${name} ${shape} max|diff| ${worst.toExponential(2)}`);
  }
  return ok;
}

function checkTokens(file) {
  const cases = JSON.parse(readFileSync(file, 'utf8'));
  const folder = dirname(cases.tokenizer);
  const tokenizer = new Tokenizer(
    JSON.parse(readFileSync(cases.tokenizer, 'utf8')),
    JSON.parse(readFileSync(join(folder, 'tokenizer_config.json'), 'utf8')),
  );
  let ok = true;
  for (const [text, ids] of Object.entries(cases.cases)) {
    const got = tokenizer.encode(text).ids.map(Number);
    const pass = got.join(',') === ids.join(',');
    ok &&= pass;
    console.log(`${pass ? 'ok  ' : 'FAIL'} tokens ${JSON.stringify(text)} -> ${got.join(' ')}${pass ? '' : ` (python: ${ids.join(' ')})`}`);
  }
  return ok;
}

const root = process.argv[2];
if (!root) {
  console.error('usage: node tools/train/checkOnnx.mjs <reference folder>');
  process.exit(2);
}
let ok = true;
for (const entry of readdirSync(root, { withFileTypes: true })) {
  if (entry.isDirectory() && existsSync(join(root, entry.name, 'manifest.json'))) ok = (await checkGraph(join(root, entry.name))) && ok;
}
if (existsSync(join(root, 'tokens.json'))) ok = checkTokens(join(root, 'tokens.json')) && ok;
console.log(ok ? 'all checks passed' : 'some checks FAILED');
process.exit(ok ? 0 : 1);

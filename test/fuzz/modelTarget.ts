/**
 * Fuzz target: ONNX tap discovery and graph surgery, on mutated tower files of a tiny synthetic CLIP (plain,
 * [b*h, q, k] attention, fused attention), of the Hugging Face fixtures (SigLIP towers with their pooling head,
 * SigLIP's float16 vision tower, CLIP towers), on joint graphs (single-stream, BLIP, SigLIP's one graph) and on the
 * tiny LLaVA's If-merged decoder. A tower goes through what the extension does with a model: TwoTowerModel.open
 * (decode, find taps, plan dense outputs, append them, create the onnxruntime session) and one run; the decoder
 * through the generative family's open (taps inside the If's branches, the rewritten copy) and one generated token;
 * a single-stream graph through decode, taps and surgery. Whenever a mutated graph decodes, the appended taps
 * must come back as outputs of the tapped copy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadModelFolder, type ModelFolder } from '../../src/inference/model/modelFolder';
import { decodeGraphStructure } from '../../src/inference/onnx/schema';
import { appendToModel } from '../../src/inference/onnx/surgery';
import { findAttentionTaps } from '../../src/inference/onnx/taps';
import { preprocessImage, type PreprocessedImage } from '../../src/inference/images/preprocess';
import { SessionCache } from '../../src/inference/runtime/sessions';
import { TwoTowerModel } from '../../src/inference/families/twoTower/twoTowerModel';
import { generativeFamily } from '../../src/inference/families/generative/family';
import { writeTinyClip, type TinyClip } from '../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../support/tinyFusion';
import { mutateBytes } from './byteMutations';
import type { FuzzRunner, FuzzTarget } from './fuzzTarget';
import { mutateModelFields } from './onnxMutations';
import type { FuzzRandom } from './random';

export interface Seed {
  label: string;
  bytes: Uint8Array;
  /** The tower this graph stands for in a two-tower folder; none for a joint graph. */
  tower?: 'vision' | 'text';
  /** A generative folder whose decoder this graph stands for. */
  decoderOf?: ModelFolder;
  folder?: ModelFolder;
  /** The folder's preprocessed test image, when its size differs from the synthetic CLIP's. */
  image?: PreprocessedImage;
}

/** Decodes, taps and appends; checks the tapped copy lists every tap. Decode errors are TappedGraph.load's to wrap. */
export function checkSurgery(bytes: Uint8Array): void {
  let graph;
  try {
    graph = decodeGraphStructure(bytes);
  } catch {
    return;
  }
  const taps = findAttentionTaps(graph).taps.map((t) => t.tensor);
  const existing = new Set(graph.outputs.map((o) => o.name));
  const added = [...new Set(taps)].filter((name) => !existing.has(name));
  const tapped = decodeGraphStructure(appendToModel(bytes, { outputs: added }));
  const outputs = new Set(tapped.outputs.map((o) => o.name));
  for (const name of added) assert.ok(outputs.has(name), `tap ${name} is not an output of the tapped copy`);
}

/**
 * Opens the folder with the mutated tower in place of the seed's and runs it. The cache is shared between
 * cases: the untouched tower's session is made once, the mutated one's is released after its case.
 */
export async function runTower(seed: Seed, file: string, image: PreprocessedImage, cache: SessionCache): Promise<void> {
  const folder = { ...seed.folder!, files: { ...seed.folder!.files, [seed.tower!]: file } };
  try {
    const model = await TwoTowerModel.open(folder, cache);
    if (seed.tower === 'vision') await model.encodeImages([seed.image ?? image]);
    else await model.encodeTexts(['a red circle', 'the']);
  } finally {
    await cache.release(file);
  }
}

/** Opens the generative folder with the mutated decoder in place of its own and generates one token. */
async function runDecoder(folder: ModelFolder, file: string, cache: SessionCache): Promise<void> {
  try {
    const model = await generativeFamily.open({ ...folder, files: { ...folder.files, decoder: file } }, cache);
    const image = await model.preprocessImage!(join(folder.dir, 'edges_51x37.png'));
    await model.generate!({ images: [{ path: 'edges', image }], prompt: 'Describe the image.', maxNewTokens: 1 });
  } finally {
    await cache.release(file);
  }
}

/** The seed graphs, a preprocessed image for the vision towers, a scratch folder and a session cache; `dispose` removes them. */
export interface ModelSeeds {
  seeds: Seed[];
  image: PreprocessedImage;
  cache: SessionCache;
  /** Decodes, taps and checks `bytes`, then (for a tower) opens and runs it in place of `seed`'s tower. */
  run(seed: Seed, bytes: Uint8Array): Promise<void>;
  dispose(): Promise<void>;
}

/** Writes the seed models (three tiny CLIPs, a single-stream graph) and what running a mutated tower needs. */
export async function prepareModelSeeds(): Promise<ModelSeeds> {
  const clips: TinyClip[] = [writeTinyClip(), writeTinyClip({ attentionLayout: '3d' }), writeTinyClip({ fusedAttention: true })];
  const fusion: TinyFusion = writeTinyFusion();
  const seeds: Seed[] = [];
  for (const clip of clips) {
    const folder = await loadModelFolder(clip.dir);
    const label = `clip ${clip.options.attentionLayout}${clip.options.fusedAttention ? ' fused' : ''}`;
    for (const tower of ['vision', 'text'] as const) seeds.push({ label: `${label} ${tower}`, bytes: clip.towerBytes(tower), tower, folder });
  }
  seeds.push({ label: 'single-stream joint', bytes: fusion.graphBytes() });
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c81e1e' } }).png().toBuffer();
  const image = await preprocessImage(png, seeds[0].folder!.preprocessor);
  for (const [fixture, towers] of [['hf-siglip', ['vision_model', 'text_model', 'vision_model_fp16']], ['hf-clip', ['vision_model', 'text_model']]] as const) {
    const dir = join(__dirname, '../fixtures', fixture);
    const folder = await loadModelFolder(dir);
    const own = await preprocessImage(png, folder.preprocessor);
    for (const tower of towers) {
      const role = tower.startsWith('vision') ? 'vision' : 'text';
      seeds.push({ label: `${fixture} ${tower}`, bytes: readFileSync(join(dir, 'onnx', `${tower}.onnx`)), tower: role, folder, image: own });
    }
  }
  for (const fixture of ['hf-blip', 'hf-siglip']) seeds.push({ label: `${fixture} joint`, bytes: readFileSync(join(__dirname, '../fixtures', fixture, 'onnx', 'model.onnx')) });
  const llava = await loadModelFolder(join(__dirname, '../fixtures/tiny-llava-if'));
  seeds.push({ label: 'tiny-llava-if decoder', bytes: readFileSync(llava.files.decoder!), decoderOf: llava });
  const work = mkdtempSync(join(tmpdir(), 'mmlens-fuzz-model-'));
  const cache = new SessionCache('cpu');
  let count = 0;
  return {
    seeds,
    image,
    cache,
    async run(seed, bytes): Promise<void> {
      checkSurgery(bytes);
      if (!seed.tower && !seed.decoderOf) return;
      // A new path per case: the session cache is keyed by path.
      const file = join(work, `case-${count++}.onnx`);
      writeFileSync(file, bytes);
      try {
        if (seed.decoderOf) await runDecoder(seed.decoderOf, file, cache);
        else await runTower(seed, file, image, cache);
      } finally {
        rmSync(file, { force: true });
      }
    },
    async dispose(): Promise<void> {
      await cache.release();
      for (const clip of clips) clip.remove();
      fusion.remove();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** The model target. */
export const modelTarget: FuzzTarget = {
  name: 'model',
  async prepare(): Promise<FuzzRunner> {
    const prepared = await prepareModelSeeds();
    return {
      async runCase(random: FuzzRandom, note): Promise<void> {
        const seed = random.pick(prepared.seeds);
        const mutated = random.chance(0.5) ? mutateModelFields(seed.bytes, random) : mutateBytes(seed.bytes, random);
        note(`${seed.label}: ${mutated.description}`);
        await prepared.run(seed, mutated.bytes);
      },
      dispose: () => prepared.dispose(),
    };
  },
};

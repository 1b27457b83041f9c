/**
 * One session creation in a fresh process (as the extension host meets it: once per process), cold or
 * warm through an on-disk cache of the optimized model, which the product does not have yet:
 *   cold: create from the tapped model bytes with all graph optimizations, writing the optimized model to
 *         <cacheDir>/<key>.onnx (onnxruntime's optimizedModelFilePath) with its weights in <key>.weights
 *         beside it (external initializers, so that a warm load can map them instead of copying them);
 *   warm: create from that file with optimizations disabled (they are already applied).
 * The key is the SHA-256 of the model file (streamed), the onnxruntime version, the provider and what the
 * product adds (the taps); hashing is timed in both. Only the cold path reads the model into JavaScript
 * and appends the taps (untimed: the product does it today before creating a session); a cache hit needs
 * neither. Then one run, for the process's peak memory with a working session.
 * Prints { createMs, hashMs, faults, loadingMs, initializingMs, peakMiB, provider }.
 * Usage: sessionChild.ts cold|warm <vision_model.onnx> <cacheDir> <provider> <imageSize>
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeGraphStructure } from '../../src/inference/onnx/schema';
import { appendToModel } from '../../src/inference/onnx/surgery';
import { findAttentionTaps } from '../../src/inference/onnx/taps';
import { loadOrt } from '../../src/inference/sessions';
import { reply } from './child';
import { pixelFeeds } from './feeds';
import { minorFaults, residentMiB } from './machine';

/** The result line of one creation. */
export interface SessionChildResult {
  createMs: number;
  hashMs: number;
  /** Minor page faults during hashing and creation: pages touched for the first time. */
  faults: number;
  /** onnxruntime's own profile: parsing the model, then initializing the session (optimizations, weights). */
  loadingMs: number;
  initializingMs: number;
  /** Peak resident memory after creation and one run, in MiB (cold: the model's bytes in JavaScript included). */
  peakMiB: number;
  provider: string;
}

async function main(): Promise<void> {
  const [mode, file, cacheDir, provider, imageSize] = process.argv.slice(2);
  if ((mode !== 'cold' && mode !== 'warm') || !imageSize) throw new Error('usage: sessionChild.ts cold|warm <vision_model.onnx> <cacheDir> <provider> <imageSize>');
  const ort = await loadOrt();
  const bytes = mode === 'cold' ? tappedBytes(file) : undefined;
  const profilePrefix = join(cacheDir, `profile-${mode}-${process.pid}`);
  const common = { executionProviders: [provider], logSeverityLevel: 3, enableProfiling: true, profileFilePrefix: profilePrefix } as const;
  const faults = minorFaults();
  const start = performance.now();
  const key = cacheKey(file, `${ort.env.versions.node}|${provider}|attention taps`);
  const hashMs = performance.now() - start;
  const cached = join(cacheDir, `${key}.onnx`);
  const session = bytes
    ? await ort.InferenceSession.create(bytes, { ...common, graphOptimizationLevel: 'all', optimizedModelFilePath: cached, extra: externalWeights(`${key}.weights`) })
    : await ort.InferenceSession.create(cached, { ...common, graphOptimizationLevel: 'disabled' });
  const createMs = performance.now() - start;
  const touched = minorFaults() - faults;
  await session.run(await pixelFeeds(Number(imageSize)));
  session.endProfiling();
  const stages = profileStages(cacheDir, `profile-${mode}-${process.pid}`);
  reply({ createMs, hashMs, faults: touched, ...stages, peakMiB: residentMiB().peakMiB, provider } satisfies SessionChildResult);
}

/** The model with every attention probability tensor added as an output, as TappedGraph builds it. */
function tappedBytes(file: string): Uint8Array {
  const original = readFileSync(file);
  return appendToModel(original, { outputs: findAttentionTaps(decodeGraphStructure(original)).taps.map((t) => t.tensor) });
}

/**
 * SHA-256 of the file and of `context`. The file is read through one reused 8 MiB buffer: no copy of the
 * model in memory, and no fresh pages per chunk, which cost more than the hashing on some machines.
 */
function cacheKey(file: string, context: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(8 * 2 ** 20);
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.update(context).digest('hex').slice(0, 32);
}

/** Session config entries that save every initializer of 1 KiB or more to `file` beside the optimized model. */
function externalWeights(file: string): Record<string, unknown> {
  return { session: { optimized_model_external_initializers_file_name: file, optimized_model_external_initializers_min_size_in_bytes: '1024', save_external_prepacked_constant_initializers: '1' } };
}

/** Model loading and session initialization times from onnxruntime's profile (the newest file with `prefix`). */
function profileStages(dir: string, prefix: string): { loadingMs: number; initializingMs: number } {
  const file = readdirSync(dir).filter((f) => f.startsWith(prefix)).sort((a, b) => statSync(join(dir, b)).mtimeMs - statSync(join(dir, a)).mtimeMs)[0];
  const events = file ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cat: string; name: string; dur: number }[]) : [];
  const total = (test: (name: string) => boolean) => events.filter((e) => e.cat === 'Session' && test(e.name)).reduce((sum, e) => sum + e.dur / 1000, 0);
  return { loadingMs: total((n) => n.startsWith('model_loading')), initializingMs: total((n) => n === 'session_initialization') };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

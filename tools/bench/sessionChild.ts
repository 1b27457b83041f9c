/**
 * One session creation in a fresh process (as the extension host meets it: once per process), through the
 * product's TappedGraph and SessionCache with its on-disk optimized-model cache (optimizedModelCache.ts):
 *   cold: the cache folder is emptied first, so the session is created from the tapped model bytes with all
 *         graph optimizations, and the optimized model, its weights and integrity.json are written;
 *   warm: the entry the previous cold run wrote is verified (SHA-256 of its files) and loaded, optimizations off.
 * Timed: `open` (hashing the model file for the key, verifying or writing the entry, creating the session).
 * Reading the model file for its structure (`TappedGraph.load`) happens in both and is reported apart.
 * Then one run, for the process's peak memory with a working session.
 * Prints { createMs, structureMs, faults, loadingMs, initializingMs, peakMiB, provider, source }.
 * Usage: sessionChild.ts cold|warm <vision_model.onnx> <cacheDir> <provider> <imageSize>
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseExecutionProvider } from '../../src/inference/runtime/executionProvider';
import { loadOrt, SessionCache } from '../../src/inference/runtime/sessions';
import { TappedGraph } from '../../src/inference/runtime/tappedGraph';
import { reply } from './child';
import { pixelFeeds } from './feeds';
import { minorFaults, residentMiB } from './machine';

/** The result line of one creation. */
export interface SessionChildResult {
  createMs: number;
  /** TappedGraph.load: reading the model file and decoding its structure (the same in both modes). */
  structureMs: number;
  /** Minor page faults during creation: pages touched for the first time. */
  faults: number;
  /** onnxruntime's own profile: parsing the model, then initializing the session (optimizations, weights). */
  loadingMs: number;
  initializingMs: number;
  /** Peak resident memory after creation and one run, in MiB. */
  peakMiB: number;
  provider: string;
  /** What the session was created from: the model's bytes, or the cache entry. */
  source: 'bytes' | 'cache';
}

async function main(): Promise<void> {
  const [mode, file, cacheDir, provider, imageSize] = process.argv.slice(2);
  if ((mode !== 'cold' && mode !== 'warm') || !imageSize) throw new Error('usage: sessionChild.ts cold|warm <vision_model.onnx> <cacheDir> <provider> <imageSize>');
  const ort = await loadOrt();
  const entries = join(cacheDir, 'optimized');
  if (mode === 'cold') rmSync(entries, { recursive: true, force: true });
  const profiles = join(cacheDir, 'profiles');
  mkdirSync(profiles, { recursive: true });
  const profilePrefix = `profile-${mode}-${process.pid}`;
  let source: SessionChildResult['source'] = 'bytes';
  const cache = new SessionCache(parseExecutionProvider(provider), {
    cacheDir: entries,
    createSession: (from, options) => {
      // The cache's entries load with optimizations off (they are applied already); a cold creation optimizes.
      if (options.graphOptimizationLevel === 'disabled') source = 'cache';
      const profiled = { ...options, enableProfiling: true, profileFilePrefix: join(profiles, profilePrefix) };
      return typeof from === 'string' ? ort.InferenceSession.create(from, profiled) : ort.InferenceSession.create(from, profiled);
    },
  });
  const loadStart = performance.now();
  const graph = await TappedGraph.load(file);
  const structureMs = performance.now() - loadStart;
  const faults = minorFaults();
  const start = performance.now();
  const open = await graph.open(cache, file);
  const createMs = performance.now() - start;
  const touched = minorFaults() - faults;
  await open.run(await pixelFeeds(Number(imageSize)));
  open.session.endProfiling();
  const stages = profileStages(profiles, profilePrefix);
  reply({ createMs, structureMs, faults: touched, ...stages, peakMiB: residentMiB().peakMiB, provider: open.provider, source } satisfies SessionChildResult);
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

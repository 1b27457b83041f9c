/**
 * An on-disk cache of the models onnxruntime optimizes at session creation, so that the second session of a
 * model (in a later process) skips the optimizations and maps its weights from a file instead of copying them.
 * An entry is a folder `<dir>/<key>/` holding what onnxruntime wrote (the optimized graph, its weights with
 * the pre-packed ones) and `integrity.json`, the size and SHA-256 of each of those files. The key is the
 * SHA-256 of the model file's content, what the extension added to it (taps), the onnxruntime version, the
 * provider and the CPU (pre-packed weights are specific to it). An entry whose files do not match
 * integrity.json (truncated, corrupted, half-written) is deleted and rebuilt, never loaded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { arch, cpus, platform } from 'node:os';
import { join } from 'node:path';

/** What identifies a model for the cache: its file (and external data files) and what was added to it. */
export interface ModelIdentity {
  file: string;
  /** Files holding the model's weights beside it (external data), which are part of its content. */
  dataFiles?: string[];
  /** A stable description of the additions (tap outputs and nodes); part of the key. */
  additions: string;
}

/** Where onnxruntime writes a new entry, and how to make it visible once the session exists. */
export interface CacheWriter {
  /** The optimized model's path (onnxruntime's `optimizedModelFilePath`). */
  modelPath: string;
  /** Session config entries (the `session.` group of `extra`) that put the weights, pre-packed ones included, in a file beside the model. */
  configEntries: Record<string, string>;
  /** Records the files' hashes and moves the folder into place; a failure only loses the entry. */
  commit(): Promise<void>;
  /** Deletes what was written. */
  abandon(): Promise<void>;
}

const MODEL = 'model.onnx';
const WEIGHTS = 'model.weights';
const INTEGRITY = 'integrity.json';
const HASHES = 'hashes.json';

interface Integrity {
  files: Record<string, { bytes: number; sha256: string }>;
}

/** The cache in `dir` (created on first write). */
export class OptimizedModelCache {
  /** Content hashes by file identity, so one process reads hashes.json (or hashes a file) once per model file. */
  private readonly hashes = new Map<string, Promise<string>>();

  /** The sweep of leftovers of dead runs, done once before this instance first writes. */
  private swept: Promise<void> | undefined;

  /** @param dir a folder the extension owns (its global storage), or a CLI cache folder */
  constructor(readonly dir: string) {}

  /** Removes what killed or failed runs left in the folder (see `sweepStaleTemporaries`); once per instance. */
  sweep(): Promise<void> {
    return (this.swept ??= sweepStaleTemporaries(this.dir, cacheTemporaryOwner));
  }

  /** The entry key of `model` on `provider` with onnxruntime `ortVersion`. */
  async key(model: ModelIdentity, provider: string, ortVersion: string): Promise<string> {
    const content = await Promise.all([model.file, ...(model.dataFiles ?? [])].map((file) => this.contentHash(file)));
    const parts = [...content, model.additions, ortVersion, provider, platform(), arch(), cpus()[0]?.model ?? ''];
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
  }

  /** The optimized model of entry `key` when its files match their recorded hashes; a damaged entry is deleted. */
  async lookup(key: string): Promise<string | undefined> {
    const folder = join(this.dir, key);
    const recorded = await readIntegrity(folder);
    if (!recorded) {
      await this.discard(key);
      return undefined;
    }
    const names = (await readdir(folder)).filter((n) => n !== INTEGRITY).sort();
    const expected = Object.keys(recorded.files).sort();
    const intact = names.join('/') === expected.join('/') && (await Promise.all(expected.map((n) => matches(join(folder, n), recorded.files[n])))).every(Boolean);
    if (!intact) {
      await this.discard(key);
      return undefined;
    }
    return join(folder, MODEL);
  }

  /** Deletes entry `key` (a damaged entry, or one onnxruntime failed to load). */
  async discard(key: string): Promise<void> {
    await rm(join(this.dir, key), { recursive: true, force: true });
  }

  /** A private folder for onnxruntime to write entry `key` into. */
  async writer(key: string): Promise<CacheWriter> {
    await this.sweep();
    const staging = join(this.dir, `.staging-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(staging, { recursive: true });
    return {
      modelPath: join(staging, MODEL),
      configEntries: {
        optimized_model_external_initializers_file_name: WEIGHTS,
        optimized_model_external_initializers_min_size_in_bytes: '1024',
        save_external_prepacked_constant_initializers: '1',
      },
      commit: async () => {
        try {
          await writeFile(join(staging, INTEGRITY), JSON.stringify(await describe(staging)));
          // A rename is atomic: readers see a whole entry or none. Another process may have won the race.
          await rename(staging, join(this.dir, key));
        } finally {
          await rm(staging, { recursive: true, force: true });
        }
      },
      abandon: () => rm(staging, { recursive: true, force: true }),
    };
  }

  /**
   * The SHA-256 of a model file, remembered in `hashes.json` by the file's identity (path, size, modification
   * time, change time, inode): a changed file gets a new identity and is hashed again, an unchanged one is not
   * re-read. The change time is there because a file rewritten in place with its size and mtime kept (`rsync
   * --inplace -t`) would otherwise keep its identity; every write moves ctime, and no user call can set it back.
   */
  private contentHash(file: string): Promise<string> {
    return stat(file).then((info) => {
      const id = `${file}\0${info.size}\0${info.mtimeMs}\0${info.ctimeMs}\0${info.ino}`;
      let hash = this.hashes.get(id);
      if (!hash) {
        hash = this.rememberedHash(id, file);
        hash.catch(() => this.hashes.delete(id));
        this.hashes.set(id, hash);
      }
      return hash;
    });
  }

  private async rememberedHash(id: string, file: string): Promise<string> {
    const index = join(this.dir, HASHES);
    // A missing or damaged hashes.json (cut by a full disk) only costs hashing again.
    const known = await readFile(index, 'utf8').then((text) => { const parsed: unknown = JSON.parse(text); return (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, string>; }).catch(() => ({}) as Record<string, string>);
    if (typeof known[id] === 'string' && /^[0-9a-f]{64}$/.test(known[id])) return known[id];
    const hash = await fileSha256(file);
    await this.sweep();
    const staging = `${index}.${process.pid}-${randomBytes(4).toString('hex')}`;
    // Written whole and renamed, so a reader never sees half a file; an entry lost to a race is only hashed again.
    await mkdir(this.dir, { recursive: true });
    await writeFile(staging, JSON.stringify({ ...known, [id]: hash }));
    await rename(staging, index).catch(() => rm(staging, { force: true }));
    return hash;
  }
}

/** A leftover older than this is removed even when its name says nothing of its process. */
const STALE_MS = 24 * 60 * 60 * 1000;

/**
 * Which process wrote a temporary of the cache folder: a pid for `.staging-<pid>-<hex>` and
 * `hashes.json.<pid>-<hex>`, null for a name that is no temporary of the cache.
 */
export function cacheTemporaryOwner(name: string): number | null {
  const match = /^\.staging-(\d+)-[0-9a-f]+$/.exec(name) ?? /^hashes\.json\.(\d+)-[0-9a-f]+$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** Whether process `pid` exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the temporaries in `dir` that killed or failed runs left behind. `owner` says of each name whether it
 * is such a temporary (null: not one) and which process wrote it (undefined: the name does not say). One of a
 * process that no longer exists goes; one whose process the name does not say goes once older than a day; one of
 * a live process (this one included) is never touched. Best effort: what cannot be read or removed stays.
 */
export async function sweepStaleTemporaries(dir: string, owner: (name: string) => number | undefined | null): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const now = Date.now();
  await Promise.all(names.map(async (name) => {
    const pid = owner(name);
    if (pid === null) return;
    if (pid !== undefined) {
      if (pid === process.pid || processAlive(pid)) return;
    } else {
      const info = await lstat(join(dir, name)).catch(() => undefined);
      if (!info || now - info.mtimeMs < STALE_MS) return;
    }
    await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }));
}

/**
 * SHA-256 of a file, read through one reused buffer: no copy of a large model in memory, and no fresh pages per
 * chunk (on virtual machines that back memory lazily, touching fresh pages costs more than hashing them).
 */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafeSlow(4 * 2 ** 20);
  const handle = await open(file, 'r');
  try {
    for (let n = (await handle.read(buffer, 0, buffer.length)).bytesRead; n > 0; n = (await handle.read(buffer, 0, buffer.length)).bytesRead) {
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function describe(folder: string): Promise<Integrity> {
  const files: Integrity['files'] = {};
  for (const name of (await readdir(folder)).filter((n) => n !== INTEGRITY)) {
    const path = join(folder, name);
    files[name] = { bytes: (await stat(path)).size, sha256: await fileSha256(path) };
  }
  return { files };
}

async function readIntegrity(folder: string): Promise<Integrity | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(folder, INTEGRITY), 'utf8')) as Integrity;
    return parsed && typeof parsed.files === 'object' && parsed.files[MODEL] ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The size first: a truncated file is found without reading it. */
async function matches(path: string, expected: { bytes: number; sha256: string }): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.size === expected.bytes && (await fileSha256(path)) === expected.sha256;
}

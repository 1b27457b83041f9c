/**
 * Hover previews with a cache and a queue. A preview is keyed by the sha256 of the image file's bytes, the
 * caption and the settings (model and provider included), so an edited image or a changed setting is never
 * served a stale preview, and a renamed or copied file is served from the cache. The cache is bounded by
 * bytes and the queue by its limits (requestQueue.ts); files over the size limit are not read at all.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ByteLruCache } from './byteCache';
import type { HoverPreview, PreviewSettings } from './renderPreview';
import { RequestQueue, type QueueLimits } from './requestQueue';

/** One hover's request: an existing image file, its caption, and the settings of the moment. */
export interface PreviewRequest {
  path: string;
  caption?: string;
  settings: PreviewSettings;
  /** Files larger than this are skipped. */
  maxImageBytes: number;
}

/** A preview, or why there is none. */
export type PreviewOutcome = { kind: 'preview'; preview: HoverPreview; cached: boolean } | { kind: 'skipped'; reason: string };

/** Renders one preview; `signal` fires when no hover wants it any more. */
export type PreviewRenderer = (path: string, caption: string | undefined, settings: PreviewSettings, signal: AbortSignal) => Promise<HoverPreview>;

/** The default limits: two previews render at once (the model is shared with every other command), eight wait. */
export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxRunning: 2, maxPending: 8 };

const HASHES_KEPT = 1024;
const MB = 1024 * 1024;

/** Serves hover previews; one per extension host. */
export class PreviewService {
  private readonly cache: ByteLruCache<HoverPreview>;
  private readonly queue: RequestQueue<HoverPreview>;
  // Hashing a large image on every hover would cost more than the cache saves; a file whose size and mtime are unchanged keeps its hash.
  private readonly hashes = new Map<string, { stamp: string; hash: string }>();

  /** @param render renders a preview (the inference service in the extension, a stand-in in tests)
   *  @param cacheBytes the cache budget
   *  @param limits the queue limits */
  constructor(private readonly render: PreviewRenderer, cacheBytes: number, limits: QueueLimits = DEFAULT_QUEUE_LIMITS) {
    this.cache = new ByteLruCache(cacheBytes);
    this.queue = new RequestQueue(limits);
  }

  /** The preview for `request`, from the cache or rendered; rejects with a 'cancelled' LensError when `signal` fires or the queue pushes it out. */
  async preview(request: PreviewRequest, signal?: AbortSignal): Promise<PreviewOutcome> {
    const info = await stat(request.path);
    if (info.size > request.maxImageBytes) {
      return { kind: 'skipped', reason: `No preview: the file is ${(info.size / MB).toFixed(1)} MB, over the hover limit of ${(request.maxImageBytes / MB).toFixed(1)} MB (setting multimodalLens.hover.maxImageMegabytes).` };
    }
    const hash = await this.contentHash(request.path, `${info.size}:${info.mtimeMs}:${info.ino}`);
    const key = JSON.stringify([hash, request.caption ?? null, request.settings]);
    const cached = this.cache.get(key);
    if (cached) return { kind: 'preview', preview: cached, cached: true };
    const preview = await this.queue.run(key, async (jobSignal) => {
      const rendered = await this.render(request.path, request.caption, request.settings, jobSignal);
      this.cache.set(key, rendered, previewBytes(rendered));
      return rendered;
    }, signal);
    return { kind: 'preview', preview, cached: false };
  }

  /** Applies a new cache budget (the cache setting changed). */
  setCacheBytes(bytes: number): void {
    this.cache.resize(bytes);
  }

  /** The cache's and the queue's current sizes. */
  get stats(): { cacheBytes: number; cacheEntries: number; running: number; waiting: number } {
    return { cacheBytes: this.cache.bytes, cacheEntries: this.cache.size, running: this.queue.running, waiting: this.queue.waiting };
  }

  private async contentHash(path: string, stamp: string): Promise<string> {
    const known = this.hashes.get(path);
    if (known?.stamp === stamp) return known.hash;
    const hash = createHash('sha256').update(await readFile(path)).digest('hex');
    this.hashes.delete(path);
    this.hashes.set(path, { stamp, hash });
    if (this.hashes.size > HASHES_KEPT) this.hashes.delete(this.hashes.keys().next().value!);
    return hash;
  }
}

/** What a preview takes in memory: its strings at two bytes a character (V8 may store them in one), plus the rest. */
export function previewBytes(preview: HoverPreview): number {
  const strings = [preview.rolloutUrl, preview.alignmentUrl, preview.model, preview.executionProvider, ...preview.notices, ...preview.labels.map((l) => l.label)];
  return 256 + strings.reduce((sum, s) => sum + 2 * (s?.length ?? 0), 0);
}

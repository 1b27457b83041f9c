/**
 * A least-recently-used cache bounded by the bytes its values take (as the caller counts them), so that a
 * hover storm over large previews cannot grow memory past the cache setting.
 */

/** An LRU map whose entries' byte sizes never sum past `maxBytes` (0 stores nothing). */
export class ByteLruCache<V> {
  // A Map iterates in insertion order; re-inserting on use keeps the least recent first.
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  /** @param maxBytes the budget; an entry larger than it is not stored */
  constructor(private maxBytes: number) {}

  /** The value for `key`, now the most recently used, or undefined. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` as `bytes` large, evicting the least recently used entries to stay within the budget. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    this.evict();
  }

  /** Removes `key` if present. */
  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  /** Changes the budget (the cache setting changed), evicting as needed. */
  resize(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.evict();
  }

  /** The bytes stored. */
  get bytes(): number {
    return this.total;
  }

  /** The number of entries. */
  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const [key] of this.entries) {
      if (this.total <= this.maxBytes) return;
      this.delete(key);
    }
  }
}

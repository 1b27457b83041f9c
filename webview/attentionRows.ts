/**
 * Reads packed attention (src/shared/packedAttention.ts) as the views need it: one head's row for one query, or
 * one item's whole layer. A layer is decompressed the first time one of its rows is asked for, and kept.
 */
import { unzlibSync } from 'fflate';
import { RANGES_PER_ROW, type PackedTowerAttention } from '../src/shared/packedAttention';

/** One decompressed layer: the ranges and the quantised rows. */
interface Layer {
  ranges: Float32Array;
  values: Uint8Array;
}

/** Lazy reader of one packed tower, with the rows a panel fetched later beside it. */
export class AttentionRows {
  private readonly decoded = new Map<number, Layer>();
  private readonly queryIndex: Map<number, number>;
  /** Fetched rows by item and query: [layer][head][key], full precision. */
  private readonly fetched = new Map<string, Float32Array>();

  constructor(readonly packed: PackedTowerAttention) {
    this.queryIndex = new Map(packed.queries.map((query, i) => [query, i]));
  }

  /** Whether every query's row is here (a full report), so any token can be the query. */
  get allQueries(): boolean {
    return this.packed.queries.length === this.packed.tokens;
  }

  /** Whether item `item`'s rows of `query` are here, packed or fetched. */
  hasRows(item: number, query: number): boolean {
    return this.queryIndex.has(query) || this.fetched.has(`${item}:${query}`);
  }

  /**
   * Adds query `query`'s rows of item `item` fetched from the extension, [layer][head][key]; refused (false) when
   * their size is not layers x heads x tokens.
   */
  addRows(item: number, query: number, rows: Float32Array): boolean {
    const { layers, heads, tokens } = this.packed;
    if (!(rows instanceof Float32Array) || rows.length !== layers * heads * tokens) return false;
    this.fetched.set(`${item}:${query}`, rows);
    return true;
  }

  /** One head's attention from `query` over every key, or null when that row (or the layer, item or head) is not here. */
  row(layer: number, item: number, head: number, query: number): Float32Array | null {
    const q = this.queryIndex.get(query);
    const { heads, tokens, queries } = this.packed;
    if (!this.inRange(layer, item, head)) return null;
    const fetched = this.fetched.get(`${item}:${query}`);
    if (fetched) return fetched.slice((layer * heads + head) * tokens, (layer * heads + head + 1) * tokens);
    if (q === undefined) return null;
    const out = new Float32Array(tokens);
    this.decodeRow(this.layer(layer), (item * heads + head) * queries.length + q, out, 0);
    return out;
  }

  /** Item `item`'s attention in `layer` as [head][query][key], flat; only when every query's row is here. */
  matrix(layer: number, item: number): Float32Array | null {
    if (!this.allQueries || !this.inRange(layer, item, 0)) return null;
    const { heads, tokens } = this.packed;
    const data = this.layer(layer);
    const out = new Float32Array(heads * tokens * tokens);
    for (let r = 0; r < heads * tokens; r++) this.decodeRow(data, item * heads * tokens + r, out, r * tokens);
    return out;
  }

  private inRange(layer: number, item: number, head: number): boolean {
    const { layers, items, heads } = this.packed;
    return [[layer, layers], [item, items], [head, heads]].every(([i, n]) => Number.isInteger(i) && i >= 0 && i < n);
  }

  private decodeRow(data: Layer, r: number, out: Float32Array, at: number): void {
    const { tokens, patchStart } = this.packed;
    const base = r * RANGES_PER_ROW;
    const [low0, step0, low1, step1] = [data.ranges[base], (data.ranges[base + 1] - data.ranges[base]) / 255, data.ranges[base + 2], (data.ranges[base + 3] - data.ranges[base + 2]) / 255];
    const values = data.values;
    const start = r * tokens;
    for (let k = 0; k < tokens; k++) out[at + k] = k < patchStart ? low0 + values[start + k] * step0 : low1 + values[start + k] * step1;
  }

  private layer(layer: number): Layer {
    const known = this.decoded.get(layer);
    if (known) return known;
    const inflated = unzlibSync(base64Bytes(this.packed.layerData[layer]));
    const { items, heads, tokens, queries } = this.packed;
    const rows = items * heads * queries.length;
    if (inflated.length !== rows * (RANGES_PER_ROW * 4 + tokens)) throw new Error(`This page's attention is damaged: layer ${layer} holds ${inflated.length} bytes, not ${rows * (RANGES_PER_ROW * 4 + tokens)}.`);
    // Float32Array needs a 4-byte aligned start.
    const bytes = inflated.byteOffset % 4 === 0 ? inflated : new Uint8Array(inflated);
    const data = { ranges: new Float32Array(bytes.buffer, bytes.byteOffset, rows * RANGES_PER_ROW), values: bytes.subarray(rows * RANGES_PER_ROW * 4) };
    this.decoded.set(layer, data);
    return data;
  }
}

/** The bytes of a base64 text. */
function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The attention the inference process keeps for open panels whose page holds only the first token's rows (a
 * ViT-L/14 analysis: 518 MB of tapped tensors): the panel asks for one query's rows of every layer and head when
 * the user picks that query, instead of receiving all of them. The latest few are kept; the host releases each
 * when its panel closes.
 */
import { randomUUID } from 'node:crypto';
import { badInput } from '../../core/errors';
import type { LayerAttention } from '../runtime/tappedGraph';

/** At most this many analyses' attention is kept; a newer one frees the oldest. */
const KEPT = 2;

interface Held {
  layers: LayerAttention[];
  items: number;
}

/** The kept attention, by id. */
export class HeldAttention {
  private readonly held = new Map<string, Held>();

  /**
   * Keeps `layers` (one tower, each [items, heads, queries, keys]) and returns the id to ask for their rows by:
   * random, so a panel of a process that since restarted never gets another analysis's rows.
   */
  keep(layers: LayerAttention[], items: number): string {
    const id = randomUUID();
    this.held.set(id, { layers, items });
    for (const old of this.held.keys()) if (this.held.size > KEPT) this.held.delete(old);
    return id;
  }

  /** Item `item`'s rows of query `query` in every layer and head, as [layer][head][key]. */
  rows(id: string, item: number, query: number): Float32Array {
    const held = this.held.get(id);
    if (!held) throw badInput('The attention of this panel is no longer kept (a newer analysis replaced it, or the inference process restarted).', 'Run Analyze Image again to pick query tokens.');
    const { heads, queries, keys } = held.layers[0];
    if (!Number.isInteger(item) || item < 0 || item >= held.items || !Number.isInteger(query) || query < 0 || query >= queries) {
      throw badInput(`There is no item ${item} or query token ${query} in this analysis (${held.items} items, ${queries} tokens).`, 'Pick a query token shown in the panel.');
    }
    const out = new Float32Array(held.layers.length * heads * keys);
    held.layers.forEach((layer, l) => {
      for (let h = 0; h < heads; h++) {
        const start = ((item * heads + h) * queries + query) * keys;
        out.set(layer.data.subarray(start, start + keys), (l * heads + h) * keys);
      }
    });
    return out;
  }

  /** Frees the attention kept under `id` (nothing when it is already gone). */
  release(id: string): void {
    this.held.delete(id);
  }
}

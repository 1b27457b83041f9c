/**
 * Running a graph over many items in chunks: the graph's own batch limit (a fixed batch dimension) or a
 * memory-friendly default, with cancellation and progress between chunks and the chunks' outputs joined.
 */
import { throwIfCancelled, type LongRunOptions } from '../../core/progress';
import type { LayerAttention } from './tappedGraph';

/** What one chunk returns: named float outputs (flattened, items first) and per-layer attention. */
export interface ChunkOutput {
  floats: Record<string, Float32Array>;
  attention: LayerAttention[];
}

/** Runs `runChunk` over [start, end) ranges of `count` items and concatenates the results in order. */
export async function runInChunks(
  count: number,
  chunkSize: number,
  stage: string,
  runChunk: (start: number, end: number) => Promise<ChunkOutput>,
  options: LongRunOptions = {},
): Promise<ChunkOutput> {
  const chunks: ChunkOutput[] = [];
  for (let start = 0; start < count; start += chunkSize) {
    throwIfCancelled(options.signal);
    const end = Math.min(count, start + chunkSize);
    chunks.push(await runChunk(start, end));
    options.onProgress?.({ stage, done: end, total: count });
  }
  return chunks.length === 1 ? chunks[0] : joinChunks(chunks);
}

function joinChunks(chunks: ChunkOutput[]): ChunkOutput {
  const floats: Record<string, Float32Array> = {};
  for (const name of Object.keys(chunks[0].floats)) floats[name] = concat(chunks.map((c) => c.floats[name]));
  const attention = chunks[0].attention.map((first, layer) => ({ ...first, data: concat(chunks.map((c) => c.attention[layer].data)) }));
  return { floats, attention };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

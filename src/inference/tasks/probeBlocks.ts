/**
 * Running a probe's many model calls in blocks whose size fits memory. The tapped graphs return every
 * layer's attention, which the probes mostly drop: the first block holds one item, and later blocks hold as
 * many items as keep that attention within a budget (a ViT-L at 336 px returns about 0.5 GB per image).
 */
import { throwIfCancelled } from '../../core/progress';
import type { LayerAttention } from '../runtime/tappedGraph';

/** Bytes of returned tensors per block that the probes allow. */
const BLOCK_BYTES = 256 * 2 ** 20;
/** At most this many items per block, however small the model. */
const MAX_BLOCK = 32;

/** The bytes of a batch's attention tensors. */
export function attentionBytes(attention: LayerAttention[]): number {
  return attention.reduce((sum, layer) => sum + layer.data.byteLength, 0);
}

/**
 * Calls `run(start, end)` over [0, count) in consecutive blocks; `run` returns the bytes of the tensors it
 * received, which sizes the next block. With `rowLength`, no block crosses a multiple of it.
 */
export async function forEachBlock(count: number, run: (start: number, end: number) => Promise<number>, signal?: AbortSignal, rowLength = count): Promise<void> {
  let size = 1;
  for (let start = 0; start < count; ) {
    throwIfCancelled(signal);
    const rowEnd = (Math.floor(start / rowLength) + 1) * rowLength;
    const end = Math.min(count, start + size, rowEnd);
    const perItem = (await run(start, end)) / (end - start);
    size = perItem > 0 ? Math.min(MAX_BLOCK, Math.max(1, Math.floor(BLOCK_BYTES / perItem))) : MAX_BLOCK;
    start = end;
  }
}

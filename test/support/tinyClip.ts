// Test helper: writes a tiny synthetic CLIP into a temporary folder and loads its towers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticClip, type SyntheticClipInfo, type SyntheticClipOptions } from '../../tools/models/syntheticClip';

/** A tiny synthetic CLIP on disk; call `remove` when done. */
export interface TinyClip extends SyntheticClipInfo {
  towerBytes(tower: 'vision' | 'text'): Uint8Array;
  remove(): void;
}

/** Writes a tiny synthetic CLIP with the given option overrides into a fresh temporary folder. */
export function writeTinyClip(options: Partial<SyntheticClipOptions> = {}): TinyClip {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-clip-'));
  const info = writeSyntheticClip(dir, options);
  return {
    ...info,
    towerBytes: (tower) => readFileSync(join(dir, 'onnx', `${tower}_model.onnx`)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Deterministic pixel values for `batch` images. */
export function testPixels(batch: number, size: number): Float32Array {
  return Float32Array.from({ length: batch * 3 * size * size }, (_, i) => Math.sin(i * 0.37) * 1.5);
}

/** The ids a word-level tiny CLIP gives `text`: start, one id per word, end (computed from the vocab, not the tokenizer). */
export function tinyClipIds(clip: SyntheticClipInfo, text: string): number[] {
  const vocab = (JSON.parse(readFileSync(join(clip.dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  return [clip.tokenIds.bos, ...text.toLowerCase().split(/\s+/).filter(Boolean).map((w) => vocab[w] ?? vocab['<unk>']), clip.tokenIds.eos];
}

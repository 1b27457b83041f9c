// Test helper: writes a tiny synthetic single-stream model into a temporary folder.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticFusion, type SyntheticFusionInfo, type SyntheticFusionOptions } from '../../tools/models/syntheticFusion';

/** A tiny synthetic single-stream model on disk; call `remove` when done. */
export interface TinyFusion extends SyntheticFusionInfo {
  graphBytes(): Uint8Array;
  remove(): void;
}

/** Writes a tiny synthetic single-stream model with the given option overrides into a fresh temporary folder. */
export function writeTinyFusion(options: Partial<SyntheticFusionOptions> = {}): TinyFusion {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-fusion-'));
  const info = writeSyntheticFusion(dir, options);
  return {
    ...info,
    graphBytes: () => readFileSync(join(dir, 'onnx', 'model.onnx')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

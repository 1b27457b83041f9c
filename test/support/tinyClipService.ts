// Test helper: the set-up several service tests share: a tiny synthetic CLIP, a scratch folder, and a cpu
// InferenceService whose default model is that CLIP, made before the file's tests and removed after them.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceService } from '../../src/inference/service';
import { writeTinyClip, type TinyClip } from './tinyClip';

/** What a test file gets; the fields are set once its `before` hooks have run. */
export interface TinyClipRun {
  clip: TinyClip;
  /** A scratch folder (prefix as given) for the file's images and model copies. */
  work: string;
  service: InferenceService;
}

/** Registers the before/after hooks of a TinyClipRun; hooks the file registers later run after these. */
export function useTinyClipService(workPrefix: string): TinyClipRun {
  const run = {} as TinyClipRun;
  before(() => {
    run.clip = writeTinyClip();
    run.work = mkdtempSync(join(tmpdir(), workPrefix));
    run.service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: run.clip.dir });
  });
  after(async () => {
    await run.service.dispose();
    run.clip.remove();
    rmSync(run.work, { recursive: true, force: true });
  });
  return run;
}

// Runs the built command line (dist/cli.js, built by the test runner) as a user would.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

/** A sample scene (a single red circle) shipped in media/samples. */
export const SAMPLE_SCENE = join(__dirname, '..', '..', 'media', 'samples', 'scene-1.png');

/** Runs `mmlens ...args` and returns its exit status and output. */
export function mmlens(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

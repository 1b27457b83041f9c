/**
 * A command line too long for onnxruntime (src/inference/runtime/commandLine.ts) is not refused: the CLI runs
 * itself again as a child whose command line is short, hands it the arguments on a pipe (fd 3), and exits with
 * the child's status. The child shares the terminal, so output, progress and Ctrl-C behave as in one process.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { commandLineTooLong } from '../inference/runtime/commandLine';

/** The one argument of a relaunched child: its real arguments wait on fd 3 as a JSON array of strings. */
export const ARGUMENTS_ON_FD3 = '--mmlens-arguments-on-fd3';

/** This run's arguments (after the script): its own, or in a relaunched child the ones its parent sent. */
export function cliArguments(argv = process.argv): string[] {
  if (argv.length !== 3 || argv[2] !== ARGUMENTS_ON_FD3) return argv.slice(2);
  const sent: unknown = JSON.parse(readFileSync(3, 'utf8'));
  if (!Array.isArray(sent) || !sent.every((a) => typeof a === 'string')) throw new Error(`${ARGUMENTS_ON_FD3}: fd 3 did not hold a JSON array of strings.`);
  return sent;
}

/**
 * When this process's command line is too long to start a model in, runs the CLI again with a short one and
 * resolves to the exit status to use; undefined when this process can run the command itself.
 */
export function relaunchIfCommandLineTooLong(): Promise<number> | undefined {
  if (process.argv[2] === ARGUMENTS_ON_FD3 || !commandLineTooLong()) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ARGUMENTS_ON_FD3], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'] });
  // The pipe is the child's fd 3, writable from here; the child reads it to its end.
  (child.stdio[3] as NodeJS.WritableStream).end(JSON.stringify(process.argv.slice(2)));
  // Ctrl-C reaches the child through the terminal's process group; this process waits for the child to stop.
  const onInterrupt = () => undefined;
  const onTerminate = () => child.kill('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  return new Promise((resolve) => {
    const done = (status: number) => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      resolve(status);
    };
    child.once('error', (error) => {
      console.error(`mmlens: could not start a process for the long command line: ${error.message}`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/**
 * onnxruntime-node's Linux build reads /proc/self/cmdline when it creates a session and walks it recursively,
 * about 290 bytes of stack per byte of command line: with the usual 8 MiB stack a process whose command line is
 * 29 KB or longer dies of SIGSEGV inside InferenceSession.create (measured with onnxruntime-node 1.x here: 28 KB
 * runs, 30 KB crashes; 4 MiB of stack crashes at 20 KB and runs at 12 KB; an unlimited stack never crashes).
 * Long texts on the command line (`mmlens analyze --text "..."`) met it. Sessions are therefore only started
 * in a process whose command line is well within its stack (docs/reliability.md).
 */
import { readFileSync } from 'node:fs';
import { badInput } from '../../core/errors';

/** Stack bytes per command-line byte that this limit allows: twice what the crash measured, for a safety margin. */
const STACK_BYTES_PER_COMMAND_LINE_BYTE = 600;

/** The stack Linux gives a process when /proc/self/limits cannot be read. */
const DEFAULT_STACK_BYTES = 8 * 1024 * 1024;

/** The length of this process's command line as onnxruntime reads it, or undefined where there is no /proc/self/cmdline. */
export function commandLineBytes(): number | undefined {
  try {
    return readFileSync('/proc/self/cmdline').length;
  } catch {
    return undefined;
  }
}

/** The longest command line with which a session may start here (Infinity with an unlimited stack). */
export function commandLineLimit(limits = readLimits()): number {
  const soft = /^Max stack size\s+(\S+)/m.exec(limits)?.[1];
  if (soft === 'unlimited') return Infinity;
  const stack = soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : DEFAULT_STACK_BYTES;
  return Math.floor(stack / STACK_BYTES_PER_COMMAND_LINE_BYTE);
}

/** True when a command line of `bytes` (undefined: none that onnxruntime reads) is over `limit`. */
export function exceedsLimit(bytes: number | undefined, limit: number): boolean {
  return bytes !== undefined && bytes > limit;
}

/** This process's command line and its limit, read once: neither changes while the process runs. */
let measured: { bytes: number | undefined; limit: number } | undefined;

function measure(): { bytes: number | undefined; limit: number } {
  measured ??= { bytes: commandLineBytes(), limit: commandLineLimit() };
  return measured;
}

/** True when a session started now could crash this process. */
export function commandLineTooLong(): boolean {
  const { bytes, limit } = measure();
  return exceedsLimit(bytes, limit);
}

/** Throws, instead of letting onnxruntime crash the process, when this process's command line is too long. */
export function requireShortCommandLine(): void {
  const { bytes, limit } = measure();
  if (!exceedsLimit(bytes, limit)) return;
  throw badInput(
    `This process's command line is ${bytes} bytes; onnxruntime crashes the process when it reads one longer than about ${limit} bytes with this stack size, so no model is started.`,
    'Pass long texts in a file (mmlens analyze --text-file FILE, zeroshot --label-file FILE) instead of on the command line.',
  );
}

function readLimits(): string {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return '';
  }
}

/**
 * The machine a table was measured on, and one calibration: what it costs here to touch memory for the
 * first time. Virtual machines that back guest memory lazily (this one does) make every fresh page a
 * fault into the host; session creation and peak memory figures are read against that number.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { loadOrt } from '../../src/inference/runtime/sessions';
import { info, median, type Figure } from './figures';

/** What the table header says about the machine. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  onnxruntime: string;
  date: string;
  loadAverage: number;
}

/** The machine's details now. */
export async function machineInfo(): Promise<MachineInfo> {
  const ort = await loadOrt();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    onnxruntime: ort.env.versions.node ?? 'unknown',
    date: new Date().toISOString(),
    loadAverage: loadavg()[0],
  };
}

const PROBE_BYTES = 128 * 2 ** 20;

/** Milliseconds per GiB to touch fresh memory once (median of 3 fresh 128 MiB buffers), and per GiB to touch it again. */
export function firstTouchCost(): Figure[] {
  const page = 4096;
  const first: number[] = [];
  const again: number[] = [];
  for (let r = 0; r < 3; r++) {
    const buffer = Buffer.allocUnsafeSlow(PROBE_BYTES);
    for (const times of [first, again]) {
      const start = performance.now();
      for (let i = 0; i < buffer.length; i += page) buffer[i] = r;
      times.push(performance.now() - start);
    }
  }
  const perGiB = (ms: number) => (ms * 2 ** 30) / PROBE_BYTES;
  return [
    info('Machine: first touch of fresh memory', perGiB(median(first)), 'ms/GiB', 'one page fault per 4 KiB page of new memory; a fraction of a second per GiB on bare metal'),
    info('Machine: second touch of the same memory', perGiB(median(again)), 'ms/GiB'),
  ];
}

/**
 * Peak and current resident memory of this process in MiB (/proc/self/status VmHWM, VmRSS; Linux only), and
 * how much of it JavaScript holds in ArrayBuffers (model bytes read by the product, tensors returned).
 */
export function residentMiB(): { peakMiB: number; nowMiB: number; arrayBuffersMiB: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? Number.NaN);
  return { peakMiB: kib('VmHWM') / 1024, nowMiB: kib('VmRSS') / 1024, arrayBuffersMiB: process.memoryUsage().arrayBuffers / 2 ** 20 };
}

/** Minor page faults of this process so far (/proc/self/stat field 10): each is a page touched for the first time. */
export function minorFaults(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return Number(fields[7]);
}

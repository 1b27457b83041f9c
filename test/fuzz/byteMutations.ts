/**
 * Format-blind mutations of a file's bytes: what a bad download, a full disk or a flipped bit does to a file.
 * Each returns the new bytes and a short description, so a failing case says what was done to the file.
 */
import type { FuzzRandom } from './random';

/** Mutated bytes and what was done to them. */
export interface Mutated {
  bytes: Uint8Array;
  description: string;
}

/** Byte values that often sit on a parser's edge: zero, sign bits, all ones, varint continuation. */
const edgeBytes = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

/** Mutations copy with `new Uint8Array(bytes)`: a Buffer's `slice` is a view and would edit the seed. */
type ByteMutation = (bytes: Uint8Array, random: FuzzRandom) => Mutated;

const mutations: ByteMutation[] = [
  (bytes, r) => {
    const out = new Uint8Array(bytes);
    const flips = 1 + r.int(8);
    for (let i = 0; i < flips; i++) out[r.int(out.length)] ^= 1 << r.int(8);
    return { bytes: out, description: `${flips} bit flip(s)` };
  },
  (bytes, r) => {
    const out = new Uint8Array(bytes);
    const at = r.int(out.length);
    out[at] = r.pick(edgeBytes);
    return { bytes: out, description: `byte ${at} set to 0x${out[at].toString(16)}` };
  },
  (bytes, r) => {
    const length = r.chance(0.2) ? r.int(Math.min(64, bytes.length)) : r.int(bytes.length);
    return { bytes: new Uint8Array(bytes.subarray(0, length)), description: `truncated to ${length} of ${bytes.length} bytes` };
  },
  (bytes, r) => {
    const start = r.int(bytes.length);
    const end = Math.min(bytes.length, start + 1 + r.int(256));
    const out = new Uint8Array(bytes.length - (end - start));
    out.set(bytes.subarray(0, start));
    out.set(bytes.subarray(end), start);
    return { bytes: out, description: `bytes ${start}-${end} deleted` };
  },
  (bytes, r) => {
    const start = r.int(bytes.length);
    const chunk = bytes.subarray(start, Math.min(bytes.length, start + 1 + r.int(512)));
    const at = r.int(bytes.length + 1);
    const out = new Uint8Array(bytes.length + chunk.length);
    out.set(bytes.subarray(0, at));
    out.set(chunk, at);
    out.set(bytes.subarray(at), at + chunk.length);
    return { bytes: out, description: `${chunk.length} bytes from ${start} copied to ${at}` };
  },
  (bytes, r) => {
    const out = new Uint8Array(bytes);
    const at = r.int(out.length);
    const count = Math.min(out.length - at, 1 + r.int(16));
    for (let i = 0; i < count; i++) out[at + i] = r.int(256);
    return { bytes: out, description: `${count} random bytes at ${at}` };
  },
];

/** One random format-blind mutation of `bytes` (never empty input; the result may be empty). */
export function mutateBytes(bytes: Uint8Array, random: FuzzRandom): Mutated {
  return random.pick(mutations)(bytes, random);
}

/**
 * From token-indexed arrays to the patch grid, and from typed arrays to the nested arrays of the JSON result.
 */
import { LensError } from '../core/errors';
import { requireLength, requirePositiveInt } from './shape';

/**
 * One query row of a T x T token matrix (row-major), restricted to the patch tokens and laid out as the
 * rows x cols patch grid (patches in row-major order, starting at token `firstPatch`: 1 after a CLS token,
 * 0 for models without one). Returns rows·cols values, row-major.
 */
export function rowToGrid(matrix: Float32Array, tokens: number, row: number, firstPatch: number, rows: number, cols: number): Float32Array {
  requirePositiveInt(tokens, 'rowToGrid: tokens');
  requireLength(matrix, tokens * tokens, 'rowToGrid: matrix');
  requirePositiveInt(rows, 'rowToGrid: rows');
  requirePositiveInt(cols, 'rowToGrid: cols');
  if (!Number.isInteger(row) || row < 0 || row >= tokens) throw new LensError('internal', `rowToGrid: row ${row} is outside 0..${tokens - 1}.`);
  if (!Number.isInteger(firstPatch) || firstPatch < 0 || firstPatch + rows * cols > tokens) {
    throw new LensError('internal', `rowToGrid: ${rows}x${cols} patches from token ${firstPatch} do not fit in ${tokens} tokens.`);
  }
  const start = row * tokens + firstPatch;
  return matrix.slice(start, start + rows * cols);
}

/**
 * A rows x cols grid (row-major) resized bilinearly to height x width, as torch's interpolate with
 * align_corners=False: cell (r, c) is centred on pixel ((c + 0.5) width / cols, (r + 0.5) height / rows), values
 * between centres are interpolated, beyond the outer centres held. Float64, row-major.
 */
export function resizeBilinear(grid: ArrayLike<number>, rows: number, cols: number, height: number, width: number): Float64Array {
  requireLength(grid, rows * cols, 'resizeBilinear: grid');
  const out = new Float64Array(height * width);
  const axis = (pixel: number, cells: number, size: number) => {
    const x = Math.min(cells - 1, Math.max(0, ((pixel + 0.5) * cells) / size - 0.5));
    const lo = Math.floor(x);
    return { lo, hi: Math.min(cells - 1, lo + 1), t: x - lo };
  };
  for (let y = 0; y < height; y++) {
    const r = axis(y, rows, height);
    for (let x = 0; x < width; x++) {
      const c = axis(x, cols, width);
      const top = grid[r.lo * cols + c.lo] * (1 - c.t) + grid[r.lo * cols + c.hi] * c.t;
      const bottom = grid[r.hi * cols + c.lo] * (1 - c.t) + grid[r.hi * cols + c.hi] * c.t;
      out[y * width + x] = top * (1 - r.t) + bottom * r.t;
    }
  }
  return out;
}

/** Nested arrays of numbers, any depth. */
export type Nested = number[] | Nested[];

function nestedLevel(data: ArrayLike<number>, shape: readonly number[], depth: number, offset: number, index: number[], label: string): Nested {
  const size = shape[depth];
  if (depth === shape.length - 1) {
    const out = new Array<number>(size);
    for (let i = 0; i < size; i++) {
      const value = data[offset + i];
      if (!Number.isFinite(value)) {
        const where = [...index, i].map((k) => `[${k}]`).join('');
        throw new LensError('internal', `${label}${where} is ${value}, and the JSON result allows only finite numbers.`,
          'The model produced a non-finite value; check that it runs correctly on this input (fp16 exports can overflow).');
      }
      out[i] = value;
    }
    return out;
  }
  const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, (_, i) => nestedLevel(data, shape, depth + 1, offset + i * stride, [...index, i], label)) as Nested;
}

/**
 * Row-major nested arrays of the given shape from a flat array, for the JSON result. Throws an 'internal'
 * LensError naming the element (e.g. `rollout[0][3]`, with `label` = 'rollout') when a value is NaN or
 * ±Infinity, which JSON cannot carry, and when the shape does not match the data's length.
 */
export function toNested(data: ArrayLike<number>, shape: readonly [number], label?: string): number[];
export function toNested(data: ArrayLike<number>, shape: readonly [number, number], label?: string): number[][];
export function toNested(data: ArrayLike<number>, shape: readonly [number, number, number], label?: string): number[][][];
export function toNested(data: ArrayLike<number>, shape: readonly [number, number, number, number], label?: string): number[][][][];
export function toNested(data: ArrayLike<number>, shape: readonly number[], label?: string): Nested;
export function toNested(data: ArrayLike<number>, shape: readonly number[], label = 'array'): Nested {
  if (shape.length === 0 || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new LensError('internal', `toNested: ${label} has an invalid shape [${shape.join(', ')}].`);
  }
  requireLength(data, shape.reduce((a, b) => a * b, 1), `toNested: ${label} of shape [${shape.join(', ')}]`);
  return nestedLevel(data, shape, 0, 0, [], label);
}

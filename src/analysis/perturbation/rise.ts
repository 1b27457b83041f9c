/**
 * RISE, Randomized Input Sampling for Explanation (Petsiuk, Das & Saenko 2018): score the image under many
 * random smooth masks and weight each mask by its score; pixels whose presence raises the score collect weight.
 */
import { badInput } from '../../core/errors';
import { channelsOf, hiddenImage, patchSpan, scoreInBatches, type BatchOptions, type Fill, type PatchedImage, type ScoreBatch } from './perturbation';
import { mulberry32 } from '../random';
import { requireLength, requirePositiveInt } from '../shape';

/**
 * How a mask's upsampling treats the grid's edges: `clamp` holds the edge cell's value for the half cell beyond its
 * centre (the product's default); `reflect` mirrors the grid about its edge cells' centres, as the authors' masks
 * do (eclique/RISE explanations.py: skimage's resize with mode='reflect', scipy's `mirror`).
 */
export type MaskEdges = 'clamp' | 'reflect';

/** RISE choices; the defaults are the paper's, except `edges`. */
export interface RiseOptions extends BatchOptions {
  /** Number of masks N, one forward pass each. Default 4000. */
  masks?: number;
  /** Side s of the coarse binary grid. Default 7. */
  cells?: number;
  /** Probability p that a grid cell is kept. Default 0.5. */
  probability?: number;
  /** Seed of the mask generator; the same seed gives the same masks. Default 0. */
  seed?: number;
  /** The masks' edges. Default 'clamp'. */
  edges?: MaskEdges;
}

/** A RISE saliency map and what it cost. */
export interface RiseResult {
  /** rows x cols, row-major: Σ_i score_i · mask_i / (N · p), averaged over the pixels of each patch. */
  map: Float32Array;
  forwardPasses: number;
}

/** Per output pixel along one side: the two grid cells it interpolates between and the weight of the second. */
function sampling(size: number, cells: number, shift: number, edges: MaskEdges): { lo: Uint32Array; hi: Uint32Array; weight: Float64Array } {
  const cell = Math.ceil(size / cells);
  // The s cells are stretched to (s + 1)·cell pixels with pixel centres aligned, as an image resize does,
  // and the crop starts at `shift`, so mask edges fall anywhere rather than on the cell grid.
  const scale = cells / ((cells + 1) * cell);
  const lo = new Uint32Array(size);
  const hi = new Uint32Array(size);
  const weight = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const at = (i + shift + 0.5) * scale - 0.5;
    // Beyond the edge cells' centres: held (clamp), or mirrored about them (reflect); at most half a cell out.
    const u = edges === 'clamp' || cells === 1 ? Math.min(Math.max(at, 0), cells - 1) : at < 0 ? -at : at > cells - 1 ? 2 * (cells - 1) - at : at;
    lo[i] = Math.floor(u);
    hi[i] = Math.min(lo[i] + 1, cells - 1);
    weight[i] = u - lo[i];
  }
  return { lo, hi, weight };
}

/**
 * One RISE mask: the cells x cells grid `grid` (row-major, values in 0..1) upsampled bilinearly to
 * (cells + 1)·ceil(height / cells) by (cells + 1)·ceil(width / cells) pixels, edges clamped or reflected, and cropped
 * to height x width starting at (shiftY, shiftX), each shift in 0 .. ceil(side / cells) - 1.
 */
export function riseMask(grid: ArrayLike<number>, cells: number, height: number, width: number, shiftY: number, shiftX: number, edges: MaskEdges = 'clamp'): Float32Array {
  requirePositiveInt(cells, 'riseMask: cells');
  requireLength(grid, cells * cells, 'riseMask: grid');
  const ys = sampling(height, cells, shiftY, edges);
  const xs = sampling(width, cells, shiftX, edges);
  const mask = new Float32Array(height * width);
  const line = new Float64Array(cells);
  for (let y = 0; y < height; y++) {
    const wy = ys.weight[y];
    for (let j = 0; j < cells; j++) line[j] = (1 - wy) * grid[ys.lo[y] * cells + j] + wy * grid[ys.hi[y] * cells + j];
    for (let x = 0; x < width; x++) mask[y * width + x] = (1 - xs.weight[x]) * line[xs.lo[x]] + xs.weight[x] * line[xs.hi[x]];
  }
  return mask;
}

/** The mean of `mask` over each patch of the grid, rows x cols values written into `out`. */
function patchMeans(mask: Float32Array, image: PatchedImage, out: Float64Array): void {
  const { height, width, rows, cols } = image;
  for (let r = 0; r < rows; r++) {
    const [y0, y1] = patchSpan(r, rows, height);
    for (let c = 0; c < cols; c++) {
      const [x0, x1] = patchSpan(c, cols, width);
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += mask[y * width + x];
      out[r * cols + c] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
}

function checkOptions(options: RiseOptions) {
  const { masks = 4000, cells = 7, probability = 0.5, seed = 0, edges = 'clamp' } = options;
  if (!Number.isInteger(masks) || masks <= 0) throw badInput(`RISE mask count ${masks} is not a positive whole number.`, 'Use 1000 or more masks for a stable map.');
  if (!Number.isInteger(cells) || cells <= 0) throw badInput(`RISE grid size ${cells} is not a positive whole number.`, 'Use a small grid such as 7.');
  if (!(probability > 0 && probability <= 1)) throw badInput(`RISE keep probability ${probability} is not in (0, 1].`, 'Use a probability such as 0.5.');
  return { masks, cells, probability, seed, edges };
}

/**
 * RISE saliency of one image on its patch grid. Mask i keeps the image where it is 1 and shows `fill` where
 * it is 0: image · mask + fill · (1 - mask). The masks come from a seeded generator, so the map is repeatable.
 */
export async function riseMap(image: PatchedImage, fill: Fill, score: ScoreBatch, options: RiseOptions = {}): Promise<RiseResult> {
  return (await riseMaps(image, fill, score, 1, options))[0];
}

/** riseMap for a score of `outputs` numbers per image (image-major): one map per output, from the same masks. */
export async function riseMaps(image: PatchedImage, fill: Fill, score: ScoreBatch, outputs: number, options: RiseOptions = {}): Promise<RiseResult[]> {
  const channels = channelsOf(image);
  const { masks, cells, probability, seed, edges } = checkOptions(options);
  const { data, height, width, rows, cols } = image;
  const hidden = hiddenImage(image, fill);
  const random = mulberry32(seed);
  const grid = new Float32Array(cells * cells);
  const means = new Float64Array(masks * rows * cols);
  const plane = height * width;
  const scores = await scoreInBatches(masks, data.length, (index, target) => {
    for (let k = 0; k < grid.length; k++) grid[k] = random() < probability ? 1 : 0;
    const shiftY = Math.floor(random() * Math.ceil(height / cells));
    const shiftX = Math.floor(random() * Math.ceil(width / cells));
    const mask = riseMask(grid, cells, height, width, shiftY, shiftX, edges);
    for (let c = 0; c < channels; c++) {
      for (let k = 0; k < plane; k++) target[c * plane + k] = hidden[c * plane + k] + (data[c * plane + k] - hidden[c * plane + k]) * mask[k];
    }
    patchMeans(mask, image, means.subarray(index * rows * cols, (index + 1) * rows * cols));
  }, score, options, 'RISE', outputs);

  // Averaging the pixel saliency over a patch equals weighting each mask's patch mean, as both are linear.
  return Array.from({ length: outputs }, (_, o) => {
    const map = new Float32Array(rows * cols);
    for (let p = 0; p < rows * cols; p++) {
      let sum = 0;
      for (let i = 0; i < masks; i++) sum += scores[i * outputs + o] * means[i * rows * cols + p];
      map[p] = sum / (masks * probability);
    }
    return { map, forwardPasses: masks };
  });
}

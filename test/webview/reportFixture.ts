/**
 * A hand-made ReportData with values chosen so that every drawn thing has a known expected look: a 4x4
 * patch grid, one uniform grey image, two hostile texts, a rollout map with one hot cell and vision
 * attention whose CLS rows each put their mass on one known patch.
 */
import sharp from 'sharp';
import { SCHEMA_VERSION, type Matrix } from '../../src/shared/analysisResult';
import type { ReportData } from '../../src/shared/reportData';

/** Text that would run script if it were ever parsed as HTML. */
export const XSS_TEXT = '<img src=x onerror=alert(1)>';
/** Text that would end an inline <script> element if it were written into the page raw. */
export const SCRIPT_END_TEXT = 'a cat </script> on a mat';
/** Grey level of every pixel of the test image. */
export const GREY = 128;
/** The patch grid: 4 x 4, so 16 patches after the CLS token. */
export const GRID = { rows: 4, cols: 4 };
/** The analysis page's overlay: OVERLAY_PX CSS pixels square (webview/analysisView.ts), its canvas as many at scale 1. */
export const OVERLAY_PX = 384;
/** The centre of cell (row, col) of the GRID on that overlay, in its CSS pixels (and canvas pixels at scale 1). */
export function cellCentre(cell: { row: number; col: number }): [number, number] {
  return [(OVERLAY_PX / GRID.cols) * (cell.col + 0.5), (OVERLAY_PX / GRID.rows) * (cell.row + 0.5)];
}
/** The rollout map's only non-zero cell. */
export const ROLLOUT_HOT = { row: 1, col: 2 };
/** Alignment hot cells, by text index. */
export const ALIGNMENT_HOT = [
  { row: 3, col: 3 },
  { row: 0, col: 0 },
];
/** The patch (row-major index) that head [layer][head]'s CLS row attends to. */
export const HEAD_HOT_PATCH = [
  [0, 15],
  [5, 10],
];
/** Cosine similarity [image][text]. */
export const SIMILARITY = [[0.25, -0.125]];
/** Logit scale that makes the softmax over texts exactly 7 : 1 (exp(scale x 0.375) = 7). */
export const LOGIT_SCALE = Math.log(7) / 0.375;
/** softmax([0.25, -0.125] x LOGIT_SCALE) = [7/8, 1/8]. */
export const PROBABILITIES = [[0.875, 0.125]];

/** A rows x cols matrix of zeros with a 1 at `hot`. */
function oneHot(hot: { row: number; col: number }): Matrix {
  return Array.from({ length: GRID.rows }, (_, r) => Array.from({ length: GRID.cols }, (_, c) => (r === hot.row && c === hot.col ? 1 : 0)));
}

/**
 * Attention [layer][item][head][query][key] over CLS + 16 patches. The CLS row of each head puts all its
 * mass on its HEAD_HOT_PATCH (key = patch + 1, after CLS); the other query rows are uniform, so only a
 * view that reads query 0 and skips the CLS key draws the hot patch.
 */
function visionAttention(): number[][][][][] {
  const tokens = 1 + GRID.rows * GRID.cols;
  const uniform = Array<number>(tokens).fill(1 / tokens);
  return HEAD_HOT_PATCH.map((heads) => [
    heads.map((patch) => Array.from({ length: tokens }, (_, q) => (q === 0 ? uniform.map((_, k) => (k === patch + 1 ? 1 : 0)) : uniform))),
  ]);
}

/** A uniform grey 8x8 PNG as a data: URL. */
async function greyPng(): Promise<string> {
  const png = await sharp(Buffer.alloc(8 * 8 * 3, GREY), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The report data of the webview test. */
export async function reportFixture(): Promise<ReportData> {
  return {
    result: {
      schemaVersion: SCHEMA_VERSION,
      model: { name: 'fixture model', architecture: 'twoTower', executionProvider: 'cpu', notices: ['A notice the test expects'] },
      images: [{ path: 'samples/grey.png', width: 8, height: 8 }],
      texts: [
        { text: XSS_TEXT, tokens: ['<|startoftext|>', '<', 'img', '<|endoftext|>'], truncated: false },
        { text: SCRIPT_END_TEXT, tokens: ['<|startoftext|>', 'a', '</script>', '<|endoftext|>'], truncated: true },
      ],
      grid: GRID,
      similarity: SIMILARITY,
      probabilities: PROBABILITIES,
      logitScale: LOGIT_SCALE,
      attentionObservable: true,
      maps: { rollout: [oneHot(ROLLOUT_HOT)], alignment: [ALIGNMENT_HOT.map(oneHot)] },
      timings: { vision: 12.4 },
      attention: { vision: visionAttention() },
    },
    images: [await greyPng()],
  };
}

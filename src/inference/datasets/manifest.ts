/**
 * Manifests of image-caption pairs for `mmlens probe`: JSON Lines, CSV with a header, or a COCO captions
 * file, told apart by the extension. JSONL and CSV are streamed line by line, and reading stops once the set
 * is full. Image paths are relative to the manifest's folder (or `imageRoot`); rows whose image file does not
 * exist are skipped and counted.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import type { ManifestFormat } from '../../shared/probeResult';
import { badInput, LensError } from '../../core/errors';
import { cocoRows } from './manifestCoco';
import { csvRows } from './manifestCsv';
import { DEFAULT_FIELDS, type ManifestFields, type ManifestRow } from './manifestFields';
import { jsonlRows } from './manifestJsonl';
import { throwIfCancelled, type LongRunOptions } from '../../core/progress';

/** What to read and how. */
export interface ManifestOptions {
  path: string;
  /** JSONL keys / CSV columns of the image path and caption (default image, caption). */
  fields?: Partial<ManifestFields>;
  /** The folder relative image paths start from (default: the manifest's folder). */
  imageRoot?: string;
  /** Stop after this many usable pairs (default DEFAULT_PAIR_LIMIT). */
  limit?: number;
  /** COCO only: one pair per annotation instead of the first caption per image. */
  allCaptions?: boolean;
}

/** One usable pair: the image path resolved, the caption, and the label of a labelled manifest. */
export interface ManifestPair {
  image: string;
  caption: string;
  label?: boolean;
}

/** A manifest read into pairs. */
export interface Manifest {
  path: string;
  format: ManifestFormat;
  pairs: ManifestPair[];
  labelled: boolean;
  limit: number;
  /** True when rows beyond `limit` were left unread. */
  limited: boolean;
  missingImages: { count: number; examples: string[] };
}

/** The default cap on the set: the probes score all N x N combinations. */
export const DEFAULT_PAIR_LIMIT = 500;
/** The largest set allowed: its N x N float32 score matrix takes 100 MB, and the probes hold a few such matrices at once. */
export const MAX_PAIR_LIMIT = 5_000;
const MISSING_EXAMPLES = 5;

const FORMATS: Record<string, ManifestFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.json': 'coco' };

/** The format of a manifest, from its extension. */
export function manifestFormat(path: string): ManifestFormat {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) throw badInput(`Cannot tell the format of the manifest ${path} from its extension.`, 'Use .jsonl (one JSON object per line), .csv (with a header row) or .json (a COCO captions file).');
  return format;
}

/** Yields the rows of a manifest as written, without checking the images (streamed for JSONL and CSV). */
export async function* manifestRows(options: ManifestOptions): AsyncGenerator<ManifestRow> {
  await requireFile(options.path);
  const fields = { ...DEFAULT_FIELDS, ...options.fields };
  const format = manifestFormat(options.path);
  try {
    if (format === 'jsonl') yield* jsonlRows(options.path, fields);
    else if (format === 'csv') yield* csvRows(options.path, fields);
    else yield* await cocoRows(options.path, options.allCaptions ?? false);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof LensError || code === undefined) throw error;
    throw badInput(`Cannot read the manifest ${options.path} (${code}).`, 'Check that the file is readable.');
  }
}

/** Reads up to `limit` usable pairs, skipping rows whose image is missing. */
export async function readManifest(options: ManifestOptions, run: LongRunOptions = {}): Promise<Manifest> {
  const limit = options.limit ?? DEFAULT_PAIR_LIMIT;
  if (!Number.isInteger(limit) || limit < 2 || limit > MAX_PAIR_LIMIT) {
    throw badInput(`The pair limit must be a whole number from 2 to ${MAX_PAIR_LIMIT}, got ${limit}.`, `Use --limit with a value in that range (the default is ${DEFAULT_PAIR_LIMIT}).`);
  }
  const root = options.imageRoot ?? dirname(resolve(options.path));
  const manifest: Manifest = { path: options.path, format: manifestFormat(options.path), pairs: [], labelled: false, limit, limited: false, missingImages: { count: 0, examples: [] } };
  let first: ManifestRow | undefined;
  for await (const row of manifestRows(options)) {
    throwIfCancelled(run.signal);
    first ??= row;
    if ((row.label === undefined) !== (first.label === undefined)) {
      throw badInput(`${basename(options.path)} ${row.where} ${row.label === undefined ? 'has no label, but' : 'has a label, but not'} ${first.where}.`, 'Label every row (1 match, 0 no match), or none.');
    }
    if (manifest.pairs.length === limit) {
      manifest.limited = true;
      break;
    }
    const image = resolve(root, row.image);
    if (!(await isFile(image))) {
      manifest.missingImages.count += 1;
      if (manifest.missingImages.examples.length < MISSING_EXAMPLES) manifest.missingImages.examples.push(`${row.where}: ${image}`);
      continue;
    }
    manifest.pairs.push({ image, caption: row.caption, ...(row.label !== undefined && { label: row.label }) });
    if (manifest.pairs.length % 100 === 0) run.onProgress?.({ stage: 'manifest', done: manifest.pairs.length, total: limit });
  }
  manifest.labelled = first?.label !== undefined;
  requireEnoughPairs(manifest);
  return manifest;
}

function requireEnoughPairs(manifest: Manifest): void {
  const { count, examples } = manifest.missingImages;
  if (manifest.pairs.length >= 2) return;
  const missing = count > 0 ? ` ${count} row(s) name images that do not exist (${examples.join('; ')}).` : '';
  throw badInput(
    `${basename(manifest.path)} gives ${manifest.pairs.length} usable image-caption pair(s); the probes need at least 2.${missing}`,
    'Image paths are relative to the manifest\'s folder (or --image-root); add rows or correct the paths.',
  );
}

async function requireFile(path: string): Promise<void> {
  if (!(await isFile(path))) throw badInput(`The manifest ${path} does not exist or is not a file.`, 'Give the path of a .jsonl, .csv or COCO .json manifest.');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

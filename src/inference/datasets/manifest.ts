/**
 * Manifests of image-caption pairs for `mmlens probe`: JSON Lines, CSV with a header, or a COCO captions
 * file, told apart by the extension. JSONL and CSV are streamed line by line, and reading stops once the set
 * is full. Image paths are relative to the manifest's folder (or `imageRoot`); rows whose image file does not
 * exist are skipped and counted. So are rows whose image lies outside that folder, by real path (an absolute
 * path elsewhere, a "../" escape, a symbolic link that points out): a manifest from a cloned repository must
 * not make the probe read, and a report show, files it has no business with, unless `allowOutsidePaths`.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
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
  /** The folder relative image paths start from, and that every image must be inside (default: the manifest's folder). */
  imageRoot?: string;
  /** Read images outside the image root too (--allow-outside-paths). */
  allowOutsidePaths?: boolean;
  /** Stop after this many usable pairs (default DEFAULT_PAIR_LIMIT). */
  limit?: number;
  /** COCO only: one pair per annotation instead of the first caption per image. */
  allCaptions?: boolean;
}

/** One usable pair: the image path resolved, the caption, the label of a labelled manifest, and where the row is. */
export interface ManifestPair {
  image: string;
  caption: string;
  label?: boolean;
  /** "line 12" or "annotations[3]", for messages. */
  where: string;
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
  missingImages: SkippedRows;
  /** Rows skipped because their image is outside `imageFolder`; the first few as "where: path". */
  outsideImages: SkippedRows;
  /** Rows dropped because their file is not a usable image (withoutImages); the first few as "where: why". */
  unreadableImages: SkippedRows;
  /** The real path of the folder images must be in. */
  imageFolder: string;
}

/** Rows skipped for one reason: how many, and the first few as "where: path". */
export interface SkippedRows {
  count: number;
  examples: string[];
}

/** The default cap on the set: the probes score all N x N combinations. */
export const DEFAULT_PAIR_LIMIT = 500;
/** The largest set allowed: its N x N float32 score matrix takes 100 MB, and the probes hold a few such matrices at once. */
export const MAX_PAIR_LIMIT = 5_000;
const SKIPPED_EXAMPLES = 5;

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
  const images = await imageFolder(options);
  const manifest: Manifest = {
    path: options.path, format: manifestFormat(options.path), pairs: [], labelled: false, limit, limited: false,
    missingImages: { count: 0, examples: [] }, outsideImages: { count: 0, examples: [] }, unreadableImages: { count: 0, examples: [] }, imageFolder: images.folder,
  };
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
    const found = await locateImage(row.image, row.where, images);
    if ('skip' in found) {
      skip(found.skip === 'outside' ? manifest.outsideImages : manifest.missingImages, found.example);
      continue;
    }
    const { image } = found;
    manifest.pairs.push({ image, caption: row.caption, ...(row.label !== undefined && { label: row.label }), where: row.where });
    if (manifest.pairs.length % 100 === 0) run.onProgress?.({ stage: 'manifest', done: manifest.pairs.length, total: limit });
  }
  manifest.labelled = first?.label !== undefined;
  requireEnoughPairs(manifest);
  return manifest;
}

/**
 * The manifest without the pairs whose image `unusable` names (image path -> why it cannot be used), each
 * counted in `unreadableImages` with its row; badInput when fewer than 2 pairs remain.
 */
export function withoutImages(manifest: Manifest, unusable: ReadonlyMap<string, string>): Manifest {
  const unreadableImages = { ...manifest.unreadableImages, examples: [...manifest.unreadableImages.examples] };
  const pairs = manifest.pairs.filter((pair) => {
    const why = unusable.get(pair.image);
    if (why !== undefined) skip(unreadableImages, `${pair.where}: ${why}`);
    return why === undefined;
  });
  const out = { ...manifest, pairs, unreadableImages };
  requireEnoughPairs(out);
  return out;
}

/** Where a manifest's relative image paths start (`root`) and the real path of the folder they must be in. */
export interface ImageFolder {
  root: string;
  folder: string;
  allowOutsidePaths: boolean;
}

/** The image folder of `options`: its image root, or the manifest's own folder. */
export async function imageFolder(options: Pick<ManifestOptions, 'path' | 'imageRoot' | 'allowOutsidePaths'>): Promise<ImageFolder> {
  const root = resolve(options.imageRoot ?? dirname(resolve(options.path)));
  return { root, folder: await realpath(root).catch(() => root), allowOutsidePaths: options.allowOutsidePaths ?? false };
}

/**
 * The absolute path of a row's image (`written` as the row has it, at `where`), or why the row is skipped: its
 * image is outside the folder (unless allowed) or is not a file; `example` says so for the skipped rows' list.
 */
export async function locateImage(written: string, where: string, images: ImageFolder): Promise<{ image: string } | { skip: 'outside' | 'missing'; example: string }> {
  const image = resolve(images.root, written);
  const place = images.allowOutsidePaths ? { inside: true } : await placeOf(image, images.root, images.folder);
  if (!place.inside) return { skip: 'outside', example: `${where}: ${image}${place.real && place.real !== image ? ` (real path ${place.real})` : ''}` };
  if (!(await isFile(image))) return { skip: 'missing', example: `${where}: ${image}` };
  return { image };
}

/** Counts a skipped row, keeping the first few examples. */
export function skip(rows: SkippedRows, example: string): void {
  rows.count += 1;
  if (rows.examples.length < SKIPPED_EXAMPLES) rows.examples.push(example);
}

/** True when `path` is `folder` or below it (both absolute). */
function isWithin(folder: string, path: string): boolean {
  const rest = relative(folder, path);
  return rest === '' || (rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest));
}

/**
 * Whether `image` (absolute, as the row resolves) is inside the image root: `root` as given and `folder`, its
 * real path. A path outside both is not looked at; one inside is followed through its links, and its real path
 * must be inside `folder` too. A path that does not exist is judged as written (and is then missing).
 */
async function placeOf(image: string, root: string, folder: string): Promise<{ inside: boolean; real?: string }> {
  if (!isWithin(root, image) && !isWithin(folder, image)) return { inside: false };
  const real = await realpath(image).catch(() => undefined);
  return { inside: real === undefined || isWithin(folder, real), real };
}

function requireEnoughPairs(manifest: Manifest): void {
  if (manifest.pairs.length >= 2) return;
  const { missingImages: missing, outsideImages: outside, unreadableImages: unreadable } = manifest;
  const missingText = missing.count > 0 ? ` ${missing.count} row(s) name images that do not exist (${missing.examples.join('; ')}).` : '';
  const outsideText = outside.count > 0 ? ` ${outside.count} row(s) name images outside the folder ${manifest.imageFolder} (${outside.examples.join('; ')}).` : '';
  const unreadableText = unreadable.count > 0 ? ` ${unreadable.count} row(s) name files that are not usable images (${unreadable.examples.join('; ')}).` : '';
  const unreadableFix = unreadable.count > 0 ? ' Replace files that are not images (or are cut short) with PNG or JPEG images.' : '';
  const outsideFix = outside.count > 0 ? ' Images outside that folder are read only with --allow-outside-paths: pass it if you trust the manifest, or give --image-root a folder that holds every image.' : '';
  throw badInput(
    `${basename(manifest.path)} gives ${manifest.pairs.length} usable image-caption pair(s); the probes need at least 2.${missingText}${outsideText}${unreadableText}`,
    `Image paths are relative to the manifest's folder (or --image-root); add rows or correct the paths.${unreadableFix}${outsideFix}`,
  );
}

/** badInput unless `path` is a file. */
export async function requireFile(path: string): Promise<void> {
  if (!(await isFile(path))) throw badInput(`The manifest ${path} does not exist or is not a file.`, 'Give the path of a .jsonl, .csv or COCO .json manifest.');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

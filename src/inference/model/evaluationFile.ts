/**
 * A model folder's `evaluation.json`: the JSON `mmlens evaluate --json` wrote for it (patch maps of a scoring
 * model, or word maps of a generative one), read for the pointing game of each method so the views can say which
 * map to trust. The file is optional; one that is not such a JSON is left unread with a note, and the model loads.
 */
import { join } from 'node:path';
import { LensError } from '../../core/errors';
import { EVALUATION_FILE, type MapFaithfulness } from '../../shared/mapFaithfulness';
import { isJsonObject } from './configFields';
import { readJsonFile } from './jsonFile';

const REWRITE = `Write it again with \`mmlens evaluate --model DIR --json DIR/${EVALUATION_FILE}\`, or remove it.`;

/** The figures of `root`'s evaluation.json; undefined when there is none or it is unusable (then `notes` says why). */
export async function readMapFaithfulness(root: string, notes: string[]): Promise<MapFaithfulness | undefined> {
  let raw: unknown;
  try {
    raw = await readJsonFile(join(root, EVALUATION_FILE), EVALUATION_FILE, REWRITE);
  } catch (error) {
    if (!(error instanceof LensError)) throw error;
    notes.push(`The map faithfulness figures are not shown: ${error.message}`);
    return undefined;
  }
  if (raw === undefined) return undefined;
  const parsed = parseEvaluation(raw);
  if (typeof parsed === 'string') {
    notes.push(`The map faithfulness figures are not shown: ${EVALUATION_FILE} ${parsed}. ${REWRITE}`);
    return undefined;
  }
  return parsed;
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const share = (v: unknown): v is number | null => v === null || (typeof v === 'number' && v >= 0 && v <= 1);

/** The figures of an evaluate JSON, or what is wrong with it. */
function parseEvaluation(raw: unknown): MapFaithfulness | string {
  if (!isJsonObject(raw)) return 'must hold a JSON object';
  const { scenes, seed, methods } = raw;
  if (!count(scenes) || !count(seed)) return 'needs "scenes" and "seed" as non-negative integers (the mmlens evaluate JSON)';
  const words = raw.kind === 'words';
  const measured = words ? (isJsonObject(raw.words) ? raw.words.scored : undefined) : raw.objects;
  if (!count(measured)) return words ? 'needs "words.scored", the words measured' : 'needs "objects", the objects measured';
  if (!Array.isArray(methods) || methods.length === 0) return 'needs "methods", one entry per map method';
  const pointingGame: Record<string, number | null> = {};
  for (const [i, entry] of methods.entries()) {
    if (!isJsonObject(entry) || typeof entry.name !== 'string' || entry.name === '' || !share(entry.pointingGame)) {
      return `method ${i} needs a "name" and a "pointingGame" between 0 and 1 (or null)`;
    }
    pointingGame[entry.name] = entry.pointingGame;
  }
  return { file: EVALUATION_FILE, scenes, seed, measured: { count: measured, of: words ? 'words' : 'objects' }, pointingGame };
}

/**
 * Command-line flags of src/shapesWorld/generate.ts, read into writeSceneSet's options. Kept apart
 * from the script so the parsing can be tested without writing files.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { badInput } from '../core/errors';
import type { SceneSetOptions } from './io';
import { MAX_SIZE, MIN_SIZE, type ObjectCount } from './scene';
import { COLOUR_WORDS, SHAPE_WORDS, type Colour, type ObjectKind, type Shape } from './vocab';

/** Usage text printed by --help. */
export const USAGE = `Usage: npx tsx src/shapesWorld/generate.ts --out DIR --count N [--seed S] [--objects K[,K...]]
       [--size PX[,PX...]] [--hard-edges] [--first N] [--pad D] [--include INDEX:colour-shape[,colour-shape]]...
Writes scene-000.png ... and truth.json into DIR. Without --seed a random seed is drawn; it is printed.
Lists after --objects and --size are cycled over the scenes. --include makes scene INDEX (from 0) hold the
named objects, e.g. --include 0:red-circle. --first and --pad set the file numbering (default 0 and 3).`;

/** Parsed command line: where to write and what. `help` asks only for the usage text. */
export interface CliOptions {
  out: string;
  set: SceneSetOptions;
  help: boolean;
}

/** Reads the flags (without `node` and the script path). Throws a badInput LensError on a bad flag. */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  const { values } = readFlags(argv);
  if (values.help) return { out: '', set: { seed: 0, count: 0 }, help: true };
  if (!values.out) throw badInput('No output folder given.', 'Pass --out DIR.');
  const count = whole('--count', values.count ?? '', 1);
  const seed = values.seed === undefined ? randomInt(0, 2 ** 32) : whole('--seed', values.seed, 0, 2 ** 32 - 1);
  const set: SceneSetOptions = {
    seed,
    count,
    antialias: !values['hard-edges'],
    firstNumber: values.first === undefined ? undefined : whole('--first', values.first, 0),
    pad: values.pad === undefined ? undefined : whole('--pad', values.pad, 0, 12),
    objects: values.objects?.split(',').map((k) => whole('--objects', k, 1, 3) as ObjectCount),
    sizes: values.size?.split(',').map((px) => whole('--size', px, MIN_SIZE, MAX_SIZE)),
    include: Object.fromEntries((values.include ?? []).map(includeEntry)),
  };
  return { out: values.out, set, help: false };
}

function readFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string' },
        count: { type: 'string' },
        seed: { type: 'string' },
        objects: { type: 'string' },
        size: { type: 'string' },
        'hard-edges': { type: 'boolean' },
        first: { type: 'string' },
        pad: { type: 'string' },
        include: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw badInput(`Bad command line: ${(error as Error).message}`, 'Run with --help for the flags.');
  }
}

/** A whole number within [min, max] from a flag's text. */
function whole(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw badInput(`${flag} ${JSON.stringify(text)} is not a whole number from ${min} to ${max}.`, `Fix ${flag}.`);
  }
  return value;
}

/** `INDEX:colour-shape[,colour-shape]` into [index, kinds]. */
function includeEntry(text: string): [number, ObjectKind[]] {
  const [index, list = ''] = text.split(':');
  const kinds = list.split(',').map((item) => {
    const [colour, shape] = item.split('-');
    if (!(COLOUR_WORDS as string[]).includes(colour) || !(SHAPE_WORDS as readonly string[]).includes(shape)) {
      throw badInput(
        `--include ${JSON.stringify(text)}: ${JSON.stringify(item)} is not colour-shape.`,
        `Use e.g. 0:red-circle; colours ${COLOUR_WORDS.join(' ')}, shapes ${SHAPE_WORDS.join(' ')}.`,
      );
    }
    return { colour: colour as Colour, shape: shape as Shape };
  });
  return [whole('--include', index, 0), kinds];
}

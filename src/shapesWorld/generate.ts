/**
 * Command line: draws an evaluation set of shapes-world scenes (never used for training).
 * `npx tsx src/shapesWorld/generate.ts --out DIR --count N --seed S [--objects K] [--size PX]`;
 * --help lists every flag. Prints the seed so that any set can be drawn again.
 */
import { LensError } from '../core/errors';
import { USAGE, parseCliOptions } from './cliOptions';
import { writeSceneSet } from './io';

async function main(): Promise<void> {
  const { out, set, help } = parseCliOptions(process.argv.slice(2));
  if (help) {
    console.log(USAGE);
    return;
  }
  console.log(`seed ${set.seed}`);
  const entries = await writeSceneSet(out, set);
  const negatives = entries.reduce((sum, e) => sum + e.hardNegatives.length, 0);
  console.log(`wrote ${entries.length} scenes and truth.json to ${out} (${negatives} hard negatives)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof LensError ? `error: ${error.message}` : error);
  process.exitCode = 1;
});

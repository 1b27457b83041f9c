// `mmlens probe` (the built dist/cli.js) on a manifest that names an image outside its folder, as a cloned
// dataset repository could: the row is skipped, counted in the JSON and named in the summary, and is no pair
// of the result; --allow-outside-paths reads it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { mmlens } from '../../support/mmlens';
import { CAPTIONS, COLOURS, uniformImage, writeJsonl } from './probeFixtures';

let clip: TinyClip;
let work: string;
let manifest: string;

before(async () => {
  clip = writeTinyClip();
  work = mkdtempSync(join(tmpdir(), 'mmlens-probe-outside-'));
  mkdirSync(join(work, 'repo'));
  mkdirSync(join(work, 'private'));
  await Promise.all(COLOURS.slice(0, 3).map((rgb, i) => uniformImage(join(work, 'repo'), `img${i}.png`, rgb)));
  await uniformImage(join(work, 'private'), 'holiday.png', COLOURS[3]);
  const rows = CAPTIONS.slice(0, 3).map((caption, i) => ({ image: `img${i}.png`, caption }));
  manifest = writeJsonl(join(work, 'repo', 'set.jsonl'), [...rows, { image: '../private/holiday.png', caption: CAPTIONS[3] }]);
});
after(() => {
  clip.remove();
  rmSync(work, { recursive: true, force: true });
});

test('probe skips a row whose image is outside the manifest\'s folder and says so', () => {
  const json = join(work, 'probe.json');
  const run = mmlens('probe', '--model', clip.dir, '--manifest', manifest, '--ep', 'cpu', '--json', json);
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(result.manifest.pairs, 3);
  assert.equal(result.manifest.outsideImages.count, 1);
  assert.match(result.manifest.outsideImages.examples[0], /^line 4: .*private[/\\]holiday\.png$/);
  assert.match(run.stdout, /1 manifest row\(s\) were skipped because their image is outside the folder .*repo .*--allow-outside-paths reads them/);
  assert.ok(result.pairs.every((p: { image: string }) => !p.image.includes('private')));
});

test('probe --allow-outside-paths reads it', () => {
  const run = mmlens('probe', '--model', clip.dir, '--manifest', manifest, '--ep', 'cpu', '--allow-outside-paths', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.manifest.pairs, 4);
  assert.equal(result.manifest.outsideImages.count, 0);
  assert.match(result.pairs[3].image, /private[/\\]holiday\.png$/);
});

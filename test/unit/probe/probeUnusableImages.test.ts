// Issue 19: a manifest row whose file is not a usable image (a text file, an SVG, a truncated PNG, an empty
// file) is skipped and counted as a missing image is, instead of ending the whole probe; what is left is
// probed exactly as a manifest of only the good rows (two-tower and single-stream), wherever the bad rows are.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceService } from '../../../src/inference/service';
import type { ProbeResult } from '../../../src/shared/probeResult';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';
import { rejectsLens } from '../reliability/lensAssert';
import { CAPTIONS, COLOURS, uniformImage, writeJsonl } from './probeFixtures';

let clip: TinyClip;
let fusion: TinyFusion;
let work: string;
let service: InferenceService;

before(async () => {
  clip = writeTinyClip();
  fusion = writeTinyFusion({ imageCls: true });
  work = mkdtempSync(join(tmpdir(), 'mmlens-probe-unusable-'));
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir });
  await Promise.all(COLOURS.slice(0, 4).map((rgb, i) => uniformImage(work, `img${i}.png`, rgb, 40 + 8 * i, 36)));
  writeFileSync(join(work, 'notes.png'), 'meeting notes, saved under an image name\n');
  writeFileSync(join(work, 'drawing.png'), '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40"/></svg>');
  const png = readFileSync(await uniformImage(work, 'whole.png', [90, 90, 90]));
  writeFileSync(join(work, 'cut.png'), png.subarray(0, Math.floor(png.length / 2)));
  writeFileSync(join(work, 'empty.png'), '');
});
after(async () => {
  await service.dispose();
  clip.remove();
  fusion.remove();
  rmSync(work, { recursive: true, force: true });
});

const good = CAPTIONS.slice(0, 4).map((caption, i) => ({ image: `img${i}.png`, caption }));
/** The good rows with bad ones first, between and last; notes.png twice (two rows, one file). */
const mixed = [
  { image: 'cut.png', caption: 'a cut image' }, good[0], { image: 'notes.png', caption: 'notes' }, good[1], good[2],
  { image: 'drawing.png', caption: 'a drawing' }, good[3], { image: 'notes.png', caption: 'notes again' }, { image: 'empty.png', caption: 'nothing' },
];

/** What the probe computed, without where the numbers came from (manifest counts, notices, timings). */
function numbers(result: ProbeResult): unknown {
  return Object.fromEntries(Object.entries(result).filter(([key]) => !['manifest', 'model', 'timings'].includes(key)));
}

for (const family of ['two-tower', 'single-stream'] as const) {
  test(`${family}: rows naming a text file, an SVG, a truncated PNG or an empty file are skipped and counted; the rest is probed as if they were not there`, async () => {
    const modelDir = family === 'two-tower' ? clip.dir : fusion.dir;
    const clean = await service.probe({ modelDir, manifest: { path: writeJsonl(join(work, `clean-${family}.jsonl`), good) }, seed: 1 });
    const result = await service.probe({ modelDir, manifest: { path: writeJsonl(join(work, `mixed-${family}.jsonl`), mixed) }, seed: 1 });
    assert.deepEqual(numbers(result), numbers(clean));
    assert.equal(result.manifest.pairs, 4);
    assert.deepEqual(result.manifest.missingImages, { count: 0, examples: [] });
    const unreadable = result.manifest.unreadableImages!;
    assert.equal(unreadable.count, 5);
    assert.equal(unreadable.examples.length, 5);
    assert.match(unreadable.examples[0], /^line 1: .*cut\.png .*(truncated|corrupt|not a readable image)/);
    assert.match(unreadable.examples[1], /^line 3: .*notes\.png .*not a readable image/);
    assert.match(unreadable.examples[2], /^line 6: .*drawing\.png .*SVG/);
    assert.match(unreadable.examples[3], /^line 8: .*notes\.png/);
    assert.match(unreadable.examples[4], /^line 9: .*empty\.png .*empty/);
    // The examples say what was wrong, not what to do about it.
    assert.ok(unreadable.examples.every((e) => !e.includes('Replace') && !e.endsWith('.')), unreadable.examples.join('\n'));
    assert.ok(result.model.notices.some((note) => /5 manifest row\(s\) were skipped because their file is not a usable image \(line 1: /.test(note)), result.model.notices.join('\n'));
  });
}

test('when the unusable rows leave fewer than 2 pairs: badInput naming them', async () => {
  const path = writeJsonl(join(work, 'mostly-bad.jsonl'), [good[0], { image: 'notes.png', caption: 'notes' }, { image: 'drawing.png', caption: 'a drawing' }]);
  await rejectsLens(service.probe({ manifest: { path } }), {
    kind: 'badInput',
    what: [/mostly-bad\.jsonl gives 1 usable image-caption pair/, /2 row\(s\) name files that are not usable images \(line 2: .*notes\.png/],
    fix: /PNG or JPEG/,
  });
});

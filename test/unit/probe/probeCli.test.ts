// `mmlens probe` as a user runs it (the built dist/cli.js): the documented JSON, the HTML report, the
// summary, and exit status 2 with a message for each input mistake.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';
import { CAPTIONS, COLOURS, uniformImage, writeJsonl } from './probeFixtures';
import { mmlens } from '../../support/mmlens';

let clip: TinyClip;
let fusion: TinyFusion;
let work: string;
let manifest: string;

before(async () => {
  clip = writeTinyClip();
  fusion = writeTinyFusion();
  work = mkdtempSync(join(tmpdir(), 'mmlens-probe-cli-'));
  await Promise.all(COLOURS.map((rgb, i) => uniformImage(work, `img${i}.png`, rgb)));
  manifest = writeJsonl(join(work, 'set.jsonl'), CAPTIONS.map((caption, i) => ({ image: `img${i}.png`, caption })));
});
after(() => {
  clip.remove();
  fusion.remove();
  rmSync(work, { recursive: true, force: true });
});

test('probe --json - writes the documented JSON for a two-tower model', () => {
  const run = mmlens('probe', '--model', clip.dir, '--manifest', manifest, '--ep', 'cpu', '--seed', '7', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.schemaVersion, 1);
  assert.deepEqual(json.pairs.map((p: { caption: string }) => p.caption), CAPTIONS);
  assert.equal(json.scores.length, CAPTIONS.length);
  assert.equal(json.scores[0].length, CAPTIONS.length);
  for (const direction of ['imageToText', 'textToImage']) assert.deepEqual(Object.keys(json.retrieval[direction]).sort(), ['r1', 'r10', 'r5']);
  assert.deepEqual(Object.keys(json.emap).sort(), ['additive', 'full', 'metric', 'notice']);
  assert.equal(json.emap.metric, 'recall@1');
  assert.equal(typeof json.perceptualScore.image, 'number');
  assert.equal(typeof json.perceptualScore.text, 'number');
  assert.equal(json.perceptualScore.seed, 7);
  assert.equal(json.ablation.emptyText.drop.length, CAPTIONS.length);
  assert.equal(json.geometry.pca.images.length, CAPTIONS.length);
  assert.equal(json.crossModalAttention, undefined);
});

test('probe on a single-stream model reports crossModalAttention[layer][head]; --html writes the report and a summary is printed', () => {
  const html = join(work, 'probe.html');
  const json = join(work, 'probe.json');
  const run = mmlens('probe', '--model', fusion.dir, '--manifest', manifest, '--ep', 'cpu', '--json', json, '--html', html, '--limit', '3');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /image -> text {2}R@1 /);
  assert.match(run.stdout, /EMAP \(recall@1\) {2}full \d\.\d{3} {2}additive 0\.333\n {2}EMAP's additive recall@1 \(0\.333\) is fixed by construction/);
  const result = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(result.pairs.length, 3);
  assert.equal(result.manifest.limited, true);
  assert.equal(result.crossModalAttention.length, fusion.options.layers);
  assert.deepEqual(Object.keys(result.crossModalAttention[0][0]).sort(), ['imageToText', 'textToImage', 'within', 'z']);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /Content-Security-Policy/);
  assert.match(page, /"kind":"probe"/);
  assert.doesNotMatch(page, /<script[^>]+src=/);
  assert.deepEqual(readdirSync(work).filter((name) => name.endsWith('.tmp')), []);
});

test('input mistakes exit 2 with a message that says what to fix', () => {
  writeFileSync(join(work, 'nocaption.csv'), 'image,text\nimg0.png,a red circle\n');
  const cases: [string[], RegExp][] = [
    [[], /needs --manifest FILE/],
    [['--manifest', join(work, 'absent.jsonl')], /absent\.jsonl does not exist/],
    [['--manifest', join(work, 'nocaption.csv')], /nocaption\.csv line 1: the header has no "caption" column/],
    [['--manifest', manifest, '--limit', '1'], /--limit must be a whole number from 2 to 5000, got "1"/],
    [['--manifest', manifest, '--limit', 'many'], /--limit must be a whole number/],
    [['--manifest', manifest, '--metric', 'accuracy'], /accuracy metric needs a labelled manifest/],
    [['--manifest', manifest, '--metric', 'f1'], /--metric must be one of recall@1, accuracy, auc/],
    [['--manifest', manifest, '--seed', '1.5'], /--seed must be a whole number from 0/],
  ];
  for (const [args, message] of cases) {
    const run = mmlens('probe', '--model', clip.dir, '--ep', 'cpu', ...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  }
});

test('--help lists the probe command', () => {
  const run = mmlens('--help');
  assert.equal(run.status, 0);
  assert.match(run.stdout, /mmlens probe --manifest FILE/);
});

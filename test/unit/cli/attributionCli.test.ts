// `mmlens analyze --text-occlusion --mm-shap` and `mmlens probe --mm-shap N` as a user runs them (the built
// dist/cli.js) on the bundled shapes-fusion: the JSON's per-pair reports, the probe's T-SHAP per pair equal to
// analyze's for the same pair with its mean and spread worked out here, the summaries, and exit status 2 for
// settings without a method or out of range.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mmlens } from '../../support/mmlens';

const root = join(__dirname, '..', '..', '..');
const fusion = join(root, 'models', 'shapes-fusion');
const scene = (n: number) => join(root, 'media', 'samples', `scene-${n}.png`);
let work: string;
let manifest: string;
const rows = [
  { image: scene(1), caption: 'a red circle', label: 1 },
  { image: scene(1), caption: 'a blue circle', label: 0 },
  { image: scene(2), caption: 'a orange square', label: 1 },
];

before(() => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-attribution-cli-'));
  manifest = join(work, 'set.jsonl');
  writeFileSync(manifest, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Report { image: string; text: string; tShap: number; vShap: number; tokens: { token: string; value: number }[]; patches: number[]; settings: { grid: number; permutations: number }; departures: string[] }

test('analyze --text-occlusion --mm-shap: one report of each per image x text pair, with the authors\' settings', () => {
  const run = mmlens('analyze', '--model', fusion, '--image', scene(1), '--text', 'a red circle', '--text', 'a blue circle', '--ep', 'cpu', '--text-occlusion', '--mm-shap', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const { attribution } = JSON.parse(run.stdout) as { attribution: { textOcclusion: { text: string; tokens: { token: string }[] }[]; mmShap: Report[] } };
  assert.deepEqual(attribution.textOcclusion.map((r) => [r.text, r.tokens.map((t) => t.token)]), [['a red circle', ['a', 'red', 'circle']], ['a blue circle', ['a', 'blue', 'circle']]]);
  for (const report of attribution.mmShap) {
    assert.ok(Math.abs(report.tShap + report.vShap - 1) < 1e-12);
    assert.deepEqual([report.settings.grid, report.settings.permutations, report.patches.length], [3, 10, 9]);
  }
  const summary = mmlens('analyze', '--model', fusion, '--image', scene(1), '--text', 'a red circle', '--ep', 'cpu', '--mm-shap');
  assert.equal(summary.status, 0, summary.stderr);
  assert.match(summary.stdout, /MM-SHAP, "a red circle" with .*scene-1\.png: T-SHAP 0\.\d{3} {2}V-SHAP 0\.\d{3}/);
  assert.match(summary.stdout, /MM-SHAP departs from the authors: Hidden tokens become id 2/);
});

test('probe --mm-shap 3: T-SHAP per pair as analyze gives it, its mean and population spread, by label', () => {
  const run = mmlens('probe', '--model', fusion, '--manifest', manifest, '--allow-outside-paths', '--ep', 'cpu', '--mm-shap', '3', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const { mmShap } = JSON.parse(run.stdout) as { mmShap: { tShap: number[]; mean: number; std: number; pairs: number; byLabel: { matching: { mean: number }; nonMatching: { mean: number } } } };
  assert.equal(mmShap.pairs, 3);
  rows.forEach((row, i) => {
    const single = mmlens('analyze', '--model', fusion, '--image', row.image, '--text', row.caption, '--ep', 'cpu', '--mm-shap', '--json', '-');
    assert.equal(single.status, 0, single.stderr);
    assert.equal(mmShap.tShap[i], (JSON.parse(single.stdout) as { attribution: { mmShap: Report[] } }).attribution.mmShap[0].tShap);
  });
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const t = mmShap.tShap;
  assert.ok(Math.abs(mmShap.mean - mean(t)) < 1e-12);
  assert.ok(Math.abs(mmShap.std - Math.sqrt(mean(t.map((v) => (v - mean(t)) ** 2)))) < 1e-12);
  assert.ok(Math.abs(mmShap.byLabel.matching.mean - (t[0] + t[2]) / 2) < 1e-12 && mmShap.byLabel.nonMatching.mean === t[1]);
  const summary = mmlens('probe', '--model', fusion, '--manifest', manifest, '--allow-outside-paths', '--ep', 'cpu', '--mm-shap', '1');
  assert.match(summary.stdout, /MM-SHAP \(ITM match probability, 1 pairs\) {2}T-SHAP 0\.\d{3} \+\/- 0\.000/);
});

test('MM-SHAP settings without a method, or out of range, exit with status 2 and say why', () => {
  const cases: [string[], RegExp][] = [
    [['analyze', '--image', scene(1), '--text', 'a red circle', '--shap-grid', '2'], /neither --mm-shap nor --text-occlusion/],
    [['analyze', '--image', scene(1), '--text', 'a red circle', '--mm-shap', '--shap-fill', 'black'], /--shap-fill must be mean or gray/],
    [['analyze', '--image', scene(1), '--text', 'a red circle', '--mm-shap', '--shap-evals', '5'], /5 evaluations are too few for 12 features/],
    [['probe', '--manifest', 'x.jsonl', '--shap-evals', '100'], /without --mm-shap N/],
    [['probe', '--manifest', 'x.jsonl', '--mm-shap', '0'], /--mm-shap must be a whole number from 1/],
  ];
  for (const [args, message] of cases) {
    const run = mmlens(...args, '--model', fusion, '--ep', 'cpu');
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});

// `mmlens evaluate --manifest` as a user runs it (dist/cli.js): the JSON and the table on phrases with boxes, the HTML
// page, Ctrl-C writing what was done (exit 130), and exit status 2 with the flag named on misuse.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScene } from '../../../src/shapesWorld/scene';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { mmlens } from '../../support/mmlens';

let clip: TinyClip;
let work: string;
let phrases: string;

before(async () => {
  clip = writeTinyClip();
  work = mkdtempSync(join(tmpdir(), 'mmlens-evaluate-manifest-cli-'));
  const lines: string[] = [];
  for (let index = 0; index < 2; index++) {
    const { png, truth } = await generateScene({ seed: 5, index, objects: 2 });
    writeFileSync(join(work, `scene-${index}.png`), png);
    for (const o of truth.objects) lines.push(JSON.stringify({ image: `scene-${index}.png`, text: `a ${o.colour} ${o.shape}`, boxes: [[o.box.x, o.box.y, o.box.x + o.box.size, o.box.y + o.box.size]] }));
  }
  phrases = join(work, 'phrases.jsonl');
  writeFileSync(phrases, `${lines.join('\n')}\n`);
});
after(() => {
  clip.remove();
  rmSync(work, { recursive: true, force: true });
});

test('--json - gives every case with its measures, the methods and their worst cases', () => {
  const run = mmlens('evaluate', '--manifest', phrases, '--model', clip.dir, '--methods', 'rollout,occlusion', '--worst', '2', '--ep', 'cpu', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.schemaVersion, 1);
  assert.deepEqual([json.manifest.format, json.manifest.images, json.cases.length, json.template, json.score, json.cancelled], ['jsonl', 2, 4, null, 'similarity', false]);
  assert.deepEqual(json.methods.map((m: { name: string; maps: number }) => [m.name, m.maps]), [['rollout', 4], ['occlusion', 4]]);
  assert.deepEqual(json.worst.map((w: { method: string; cases: number[] }) => [w.method, w.cases.length]), [['rollout', 2], ['occlusion', 2]]);
  assert.deepEqual(Object.keys(json.cases[0]).sort(), ['boxes', 'image', 'measures', 'text', 'where']);
  assert.equal(json.cases[0].where, 'line 1');
});

test('the table names the manifest, a row per method, and each method\'s worst cases; --html writes the page', () => {
  const html = join(work, 'evaluation.html');
  const run = mmlens('evaluate', '--manifest', phrases, '--model', clip.dir, '--methods', 'rollout', '--ep', 'cpu', '--html', html);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /phrases\.jsonl \(phrases with boxes\): 4 cases in 2 images/);
  assert.match(run.stdout, /^rollout +\d+\.\d% +\d+\.\d%/m);
  assert.match(run.stdout, /^worst for rollout: line \d "a \w+ \w+" \((hit|miss), energy \d\.\d\d\)/m);
  assert.match(readFileSync(html, 'utf8'), /"format":"jsonl"/);
});

test('Ctrl-C ends the run with exit 130, and the JSON holds the cases done, marked cancelled', async () => {
  const json = join(work, 'cancelled.json');
  // The demo CLIP with many RISE masks takes far longer than the wait before the interrupt.
  const child = spawn(process.execPath, [join(__dirname, '..', '..', '..', 'dist', 'cli.js'), 'evaluate', '--manifest', phrases, '--methods', 'rise', '--rise-masks', '100000', '--ep', 'cpu', '--json', json], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  setTimeout(() => child.kill('SIGINT'), 3000);
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(status, 130, stderr);
  assert.match(stderr, /cancelled after \d+ cases; what was written holds them/);
  assert.ok(existsSync(json));
  const result = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(result.cancelled, true);
  assert.ok(result.cases.length < 4);
});

test('misused flags exit 2 and say which', () => {
  const cases: [string[], RegExp][] = [
    [['--limit', '5'], /--limit applies to a manifest's evaluation/],
    [['--manifest', phrases, '--scenes', '3'], /--scenes counts shapes-world scenes/],
    [['--manifest', phrases, '--limit', '0'], /--limit must be a whole number from 1/],
    [['--manifest', join(work, 'none.jsonl')], /does not exist or is not a file/],
    [['--manifest', join(work, 'instances.json'), '--template', 'no placeholder'], /does not exist|placeholder/],
    [['--manifest', phrases, '--json', phrases], /phrases\.jsonl/],
  ];
  for (const [flags, message] of cases) {
    const run = mmlens('evaluate', '--model', clip.dir, '--ep', 'cpu', ...flags);
    assert.equal(run.status, 2, `${flags.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});

test('a COCO file through a template without {label} is refused naming the template', () => {
  const path = join(work, 'instances.json');
  writeFileSync(path, JSON.stringify({ images: [{ id: 1, file_name: 'scene-0.png' }], categories: [{ id: 1, name: 'red circle' }], annotations: [{ image_id: 1, category_id: 1, bbox: [0, 0, 8, 8] }] }));
  const run = mmlens('evaluate', '--model', clip.dir, '--ep', 'cpu', '--manifest', path, '--template', 'a photo');
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /Prompt template "a photo" has no \{label\} placeholder/);
});

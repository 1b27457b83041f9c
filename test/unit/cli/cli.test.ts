// The built `mmlens` command line (dist/cli.js, built by the test runner) as a user runs it: exit status,
// messages, the JSON contract and the HTML report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';
import { mmlens, SAMPLE_SCENE } from '../../support/mmlens';
import type { AnalysisResult } from '../../../src/shared/analysisResult';
import type { ReportData } from '../../../src/shared/reportData';
import { AttentionRows } from '../../../webview/attentionRows';

const scene = SAMPLE_SCENE;
let clip: TinyClip;
let fusion: TinyFusion;
let work: string;

before(() => {
  clip = writeTinyClip();
  fusion = writeTinyFusion();
  work = mkdtempSync(join(tmpdir(), 'mmlens-cli-'));
});
after(() => {
  clip.remove();
  fusion.remove();
  rmSync(work, { recursive: true, force: true });
});

test('--help prints the usage and exits 0', () => {
  const run = mmlens('--help');
  assert.equal(run.status, 0);
  assert.match(run.stdout, /mmlens analyze/);
});

test('analyze --json - writes the documented JSON to standard output', () => {
  const run = mmlens('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--text', 'a blue square', '--ep', 'cpu', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.schemaVersion, 2);
  assert.deepEqual(Object.keys(json.model).sort(), ['architecture', 'executionProvider', 'name', 'notices']);
  assert.equal(json.model.executionProvider, 'cpu');
  // The demo model resizes the 96 x 96 scene to 64 and crops 64: its input covers the whole image.
  assert.deepEqual(json.images, [{ path: scene, width: 96, height: 96, region: [0, 0, 96, 96] }]);
  assert.equal(json.texts[1].truncated, false);
  assert.equal(json.probabilities[0].reduce((s: number, p: number) => s + p, 0).toFixed(6), '1.000000');
  assert.equal(json.maps.rollout[0].length, json.grid.rows);
  assert.equal(json.maps.alignment[0][1][0].length, json.grid.cols);
  assert.equal(json.attention, undefined);
  for (const stage of ['load', 'preprocess', 'vision', 'text', 'analysis']) assert.equal(typeof json.timings[stage], 'number');
});

test('analyze --attention adds attention[tower][layer][item][head][query][key]', () => {
  const run = mmlens('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--ep', 'cpu', '--attention', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const { attention } = JSON.parse(run.stdout);
  assert.equal(attention.vision.length, clip.options.layers);
  assert.equal(attention.vision[0][0].length, clip.options.heads);
  assert.equal(attention.vision[0][0][0].length, clip.visionTokens);
  assert.equal(attention.text[0][0][0].length, 5);
});

test('analyze --alignment maskclip, values and clearclip: the JSON names the method its maps use', () => {
  for (const method of ['maskclip', 'values', 'clearclip']) {
    const run = mmlens('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--ep', 'cpu', '--alignment', method, '--json', '-');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).alignmentMethod, method);
  }
});

test('analyze --html writes one self-contained report; a summary goes to standard output, then where the files are', () => {
  const html = join(work, 'report.html');
  const json = join(work, 'report.json');
  const run = mmlens('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--ep', 'cpu', '--html', html, '--json', json);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /"a red circle"/);
  assert.deepEqual(run.stdout.trim().split('\n').slice(-2), [`wrote ${html}`, `wrote ${json}`]);
  const piped = mmlens('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--ep', 'cpu', '--html', html, '--json', '-');
  assert.doesNotThrow(() => JSON.parse(piped.stdout), 'standard output stays pure JSON');
  assert.match(piped.stderr, new RegExp(`wrote ${html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const page = readFileSync(html, 'utf8');
  assert.match(page, /Content-Security-Policy/);
  assert.match(page, /data:image\/png;base64,/);
  assert.doesNotMatch(page, /<script[^>]+src=/);
});

test('--report-attention sets how much attention the report holds; what it holds is the JSON attention to within one level', () => {
  const [html, json] = [join(work, 'levels.html'), join(work, 'levels.json')];
  const reportData = (...flags: string[]) => {
    const run = mmlens('analyze', '--model', clip.dir, '--image', scene, '--text', 'a red circle', '--ep', 'cpu', '--html', html, ...flags);
    assert.equal(run.status, 0, run.stderr);
    const data = /<script type="application\/json" id="mmlens-data">(.*?)<\/script>/s.exec(readFileSync(html, 'utf8'))?.[1];
    assert.ok(data, 'the report has its data element');
    return JSON.parse(data) as ReportData;
  };
  const full = reportData('--json', json, '--attention');
  const nested = (JSON.parse(readFileSync(json, 'utf8')) as AnalysisResult).attention?.vision;
  assert.ok(nested && full.attention);
  assert.equal(full.attention.level, 'full', 'a tiny model fits the budget');
  assert.equal(full.result.attention, undefined, 'no nested attention in the page');
  const rows = new AttentionRows(full.attention.attention);
  const last = nested.length - 1;
  for (const query of [0, nested[0][0][0].length - 1]) {
    const decoded = rows.row(last, 0, 1, query);
    const expected = nested[last][0][1][query];
    assert.ok(decoded);
    const patches = expected.slice(1);
    const step = (Math.max(...patches) - Math.min(...patches)) / 255;
    patches.forEach((value, k) => assert.ok(Math.abs(decoded[k + 1] - value) <= step / 2 + 1e-6, `query ${query} key ${k + 1}`));
  }
  assert.deepEqual(reportData('--report-attention', 'thumbnails').attention?.attention.queries, [0]);
  assert.equal(reportData('--report-attention', 'none').attention, undefined);
});

test('bad input exits 2 with a message that says what to fix, and no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['analyze', '--model', clip.dir, '--image', join(work, 'nope.png'), '--text', 'x'], /nope\.png/],
    [['analyze', '--model', clip.dir, '--image', scene], /--text/],
    [['analyze', '--model', clip.dir, '--image', scene, '--text', 'x', '--frobnicate'], /frobnicate/],
    [['analyze', '--model', clip.dir, '--image', scene, '--text', 'x', '--ep', 'tpu'], /auto, cpu, webgpu, cuda/],
    [['analyze', '--model', clip.dir, '--image', scene, '--text', 'x', '--alignment', 'value'], /--alignment must be patch, maskclip, values or clearclip/],
    [['analyze', '--model', clip.dir, '--image', scene, '--text', 'x', '--html', join(work, 'r.html'), '--report-attention', 'some'], /--report-attention must be none, thumbnails or full/],
    [['analyze', '--model', clip.dir, '--image', scene, '--text', 'x', '--report-attention', 'full'], /no --html report is written/],
    [['analyze', '--model', clip.dir, '--image', scene, '--text', 'x', '--variant', 'fp8'], /--variant "fp8".*fp32, quantized, int8, uint8, fp16/],
    [['analyze', '--model', work, '--image', scene, '--text', 'x'], /config\.json/],
    [['frobnicate'], /Unknown command/],
  ];
  for (const [args, message] of cases) {
    const run = mmlens(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  }
});

test('a truncated ONNX file is reported as a bad model (exit 2)', () => {
  const broken = join(work, 'broken');
  mkdirSync(join(broken, 'onnx'), { recursive: true });
  for (const name of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']) writeFileSync(join(broken, name), readFileSync(join(clip.dir, name)));
  writeFileSync(join(broken, 'onnx', 'text_model.onnx'), readFileSync(join(clip.dir, 'onnx', 'text_model.onnx')));
  writeFileSync(join(broken, 'onnx', 'vision_model.onnx'), readFileSync(join(clip.dir, 'onnx', 'vision_model.onnx')).subarray(0, 5000));
  const run = mmlens('analyze', '--model', broken, '--image', scene, '--text', 'x', '--ep', 'cpu');
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /vision_model\.onnx/);
});

test('inspect lists every attention tap with its shape', () => {
  const run = mmlens('inspect', '--model', clip.dir, '--ep', 'cpu', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  const vision = json.taps.filter((t: { tower: string }) => t.tower === 'vision');
  assert.deepEqual(vision.map((t: { layer: number }) => t.layer), [0, 1]);
  assert.deepEqual(vision[0], { tower: 'vision', layer: 0, heads: 4, queries: clip.visionTokens, keys: clip.visionTokens });
  assert.equal(json.taps.filter((t: { tower: string }) => t.tower === 'text').length, clip.options.textLayers);
  assert.deepEqual(json.grid, { rows: 4, cols: 4, clsIndex: 0, firstPatch: 1 });
  assert.equal(json.denseProjection.available, true);
  assert.ok(existsSync(json.graphs[0].file));
});

test('analyze on a single-stream model reports itm[image][text] beside the two-tower fields', () => {
  const run = mmlens('analyze', '--model', fusion.dir, '--image', scene, '--text', 'a red circle', '--text', 'a blue square', '--ep', 'cpu', '--attention', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.model.architecture, 'singleStream');
  assert.equal(json.model.tokenLayout.firstPatch, fusion.options.textLength);
  assert.equal(json.logitScale, 1);
  assert.equal(json.itm[0].length, 2);
  // itm is the logistic of the log-odds in similarity; probabilities are their softmax over the texts.
  json.itm[0].forEach((p: number, j: number) => assert.ok(Math.abs(p - 1 / (1 + Math.exp(-json.similarity[0][j]))) < 1e-6));
  const exps = json.similarity[0].map(Math.exp);
  json.probabilities[0].forEach((p: number, j: number) => assert.ok(Math.abs(p - exps[j] / (exps[0] + exps[1])) < 1e-6));
  assert.deepEqual([json.maps.rollout[0].length, json.maps.rollout[0][0].length], [4, 4]);
  assert.equal(json.maps.alignment[0].length, 2);
  const layer = json.attention.joint[0];
  assert.deepEqual([json.attention.joint.length, layer.length, layer[0].length, layer[0][0].length], [fusion.options.layers, 2, 4, fusion.tokens]);
  assert.equal(typeof json.timings.joint, 'number');
});

test('inspect on a single-stream model lists its joint taps', () => {
  const run = mmlens('inspect', '--model', fusion.dir, '--ep', 'cpu', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.deepEqual(json.taps[1], { tower: 'joint', layer: 1, heads: 4, queries: fusion.tokens, keys: fusion.tokens });
  assert.deepEqual(json.grid, { rows: 4, cols: 4, firstPatch: fusion.options.textLength });
  assert.match(json.architectureGuess, /^Single-stream \(early concatenation\)/);
});

test('without --model the bundled shapes-clip is used, and it recognises the sample red circle', () => {
  const run = mmlens('analyze', '--image', scene, '--text', 'a red circle', '--text', 'a blue square', '--text', 'a green triangle', '--ep', 'cpu', '--json', '-');
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.equal(json.model.name, 'shapes-clip');
  assert.ok(json.probabilities[0][0] > 0.9, `p(red circle) = ${json.probabilities[0][0]}`);
  assert.deepEqual(json.grid, { rows: 8, cols: 8 });
});

test('a text "-h" is never taken for --help: it is refused with the --text=-h spelling, which then runs (issue 19 item 9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-dash-'));
  try {
    const out = join(dir, 'out.json');
    const ambiguous = mmlens('analyze', '--image', SAMPLE_SCENE, '--text', '-h', '--json', out);
    assert.equal(ambiguous.status, 2);
    assert.match(ambiguous.stderr, /--text=-XYZ/);
    assert.equal(existsSync(out), false);
    const spelled = mmlens('analyze', '--image', SAMPLE_SCENE, '--text=-h', '--json', out);
    assert.equal(spelled.status, 0, spelled.stderr);
    assert.deepEqual((JSON.parse(readFileSync(out, 'utf8')) as { texts: { text: string }[] }).texts.map((t) => t.text), ['-h']);
    assert.match(mmlens('analyze', '--help').stdout, /^mmlens: look inside/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('escape sequences in a file name reach the terminal as visible text, in the summary and in errors (issue 19 item 9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-escape-'));
  try {
    const evil = join(dir, 'scene\u001b]0;pwned\u0007\u001b[2J.png');
    writeFileSync(evil, readFileSync(SAMPLE_SCENE));
    const ran = mmlens('analyze', '--image', evil, '--text', 'a red\u001b[31m circle');
    assert.equal(ran.status, 0, ran.stderr);
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(ran.stdout), 'no control character on stdout');
    assert.ok(ran.stdout.includes('scene\\u{1b}]0;pwned\\u{7}\\u{1b}[2J.png'), ran.stdout);
    const missing = mmlens('analyze', '--image', join(dir, 'gone\u001b[2J.png'), '--text', 'x');
    assert.equal(missing.status, 2);
    assert.ok(!missing.stderr.includes('\u001b'), 'no escape on stderr');
    assert.match(missing.stderr, /gone\\u\{1b\}\[2J\.png/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an output that is one of the inputs is refused before the run, by any name (issue 19 item 7)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-overwrite-'));
  try {
    const image = join(dir, 'scene.png');
    const original = readFileSync(SAMPLE_SCENE);
    writeFileSync(image, original);
    linkSync(image, join(dir, 'hard.png'));
    for (const output of [image, join(dir, '.', 'scene.png'), join(dir, 'hard.png')]) {
      for (const flag of ['--json', '--html']) {
        const run = mmlens('analyze', '--image', image, '--text', 'a red circle', flag, output);
        assert.equal(run.status, 2, `${flag} ${output}: ${run.stderr}`);
        assert.match(run.stderr, /is the input .*scene\.png; writing it would destroy the input/);
      }
    }
    assert.ok(readFileSync(image).equals(original), 'the image is untouched');
    const zeroshot = mmlens('zeroshot', '--image', image, '--label', 'circle', '--json', join(dir, 'hard.png'));
    assert.equal(zeroshot.status, 2);
    // A report into a folder that does not exist fails without leaving a temporary file.
    const missing = mmlens('analyze', '--image', image, '--text', 'a red circle', '--json', join(dir, 'no', 'out.json'));
    assert.equal(missing.status, 2);
    assert.deepEqual(readdirSync(dir).sort(), ['hard.png', 'scene.png']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

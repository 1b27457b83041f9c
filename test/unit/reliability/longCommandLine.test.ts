// Issue 19 item 1: onnxruntime crashed the process (SIGSEGV, exit 139) when the command line was about 29 KB or
// longer, so a long --text killed `mmlens analyze`. Each long input of the issue now runs, and gives the same
// scores as the same text passed by --text-file on a short command line (a second route to the same numbers);
// a process that cannot be relaunched gets an error instead of a crash; the service takes longer texts still.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLineLimit, exceedsLimit } from '../../../src/inference/runtime/commandLine';
import { InferenceService } from '../../../src/inference/service';
import { mmlens, SAMPLE_SCENE } from '../../support/mmlens';

/** The inputs, each of which ended with signal 11 before. */
const LONG_TEXTS: Record<string, string> = {
  '10,000 words': 'red '.repeat(10_000),
  '32,000 words': 'red '.repeat(32_000).slice(0, 120_000),
  '120,000 characters without a space': 'r'.repeat(120_000),
  '9,000 repeats of "a red circle. "': 'a red circle. '.repeat(9_000),
  '40,000 CJK characters': '红色圆形'.repeat(10_000),
};

interface AnalyzeJson {
  similarity: number[][];
  texts: { text: string; truncated: boolean }[];
}

function analyzeJson(dir: string, name: string, args: string[]): AnalyzeJson {
  const out = join(dir, `${name}.json`);
  const run = mmlens('analyze', '--image', SAMPLE_SCENE, ...args, '--json', out);
  assert.equal(run.status, 0, `${name}: ${run.stderr.slice(0, 2000)}`);
  return JSON.parse(readFileSync(out, 'utf8')) as AnalyzeJson;
}

test('the stack limit decides the longest command line a session may start with', () => {
  // 8 MiB of stack crashed at about 29 KB; the limit keeps half of that.
  assert.equal(commandLineLimit('Max stack size            8388608              unlimited            bytes\n'), Math.floor(8388608 / 600));
  assert.equal(commandLineLimit('Max stack size            2097152              unlimited            bytes\n'), Math.floor(2097152 / 600));
  assert.equal(commandLineLimit('Max stack size            unlimited            unlimited            bytes\n'), Infinity);
  assert.equal(commandLineLimit(''), Math.floor(8 * 1024 * 1024 / 600));
  assert.equal(exceedsLimit(30_000, 13_981), true);
  assert.equal(exceedsLimit(13_981, 13_981), false);
  assert.equal(exceedsLimit(undefined, 10), false);
});

test('every long text of the issue runs through mmlens analyze, scored as the same text from --text-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-longargv-'));
  try {
    for (const [name, text] of Object.entries(LONG_TEXTS)) {
      const onCommandLine = analyzeJson(dir, `${name} argv`, ['--text', text, '--text', 'a blue square']);
      const file = join(dir, 'texts.txt');
      writeFileSync(file, `${text}\na blue square\n`);
      const fromFile = analyzeJson(dir, `${name} file`, ['--text-file', file]);
      assert.equal(onCommandLine.texts[0].text, text, name);
      assert.deepEqual(onCommandLine.similarity, fromFile.similarity, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('2,000 short --text arguments run too, each text scored', () => {
  const args = Array.from({ length: 2000 }, (_, i) => ['--text', i % 2 ? 'a red circle' : 'a blue square']).flat();
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-longargv-'));
  try {
    const result = analyzeJson(dir, 'many', args);
    assert.equal(result.similarity[0].length, 2000);
    assert.equal(result.similarity[0][1], result.similarity[0][3]);
    assert.ok(result.similarity[0][1] > result.similarity[0][0], 'the red circle scene matches "a red circle" better');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a process with a long command line that starts a model gets an error, not a crash', () => {
  const script = `const { InferenceService } = require('./src/inference/service');
    const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'models/shapes-clip' });
    service.analyze({ images: [${JSON.stringify(SAMPLE_SCENE)}], texts: ['a red circle'] })
      .then(() => console.log('ran'), (e) => console.log(JSON.stringify({ kind: e.kind, message: e.message })));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, 'x'.repeat(40_000)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr.slice(0, 2000));
  const error = JSON.parse(run.stdout.trim()) as { kind: string; message: string };
  assert.equal(error.kind, 'badInput');
  assert.match(error.message, /command line is \d+ bytes; onnxruntime crashes the process/);
  assert.match(error.message, /--text-file/);
});

test('a --text-file with CRLF lines and a byte-order mark gives one text per non-empty line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-textfile-'));
  try {
    const file = join(dir, 'texts.txt');
    writeFileSync(file, '\ufeffa red circle\r\n\r\na blue square\r\n');
    const result = analyzeJson(dir, 'crlf', ['--text-file', file, '--text', 'a green triangle']);
    assert.deepEqual(result.texts.map((t) => t.text), ['a green triangle', 'a red circle', 'a blue square']);
    const missing = mmlens('analyze', '--image', SAMPLE_SCENE, '--text-file', join(dir, 'nope.txt'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--text-file .*nope\.txt: cannot be read \(ENOENT\)/);
    // Sparse, so nothing is written: refused by its size before it is read.
    const huge = join(dir, 'huge.txt');
    writeFileSync(huge, '');
    truncateSync(huge, 100_000_000);
    const refused = mmlens('analyze', '--image', SAMPLE_SCENE, '--text-file', huge);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /huge\.txt: is 100000000 bytes, more than the 67108864 a file of texts may have/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the service takes texts far longer than any command line: 1 MB of words and 300,000 CJK characters', async () => {
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'models/shapes-clip' });
  try {
    const texts = ['red '.repeat(250_000), '圆'.repeat(300_000), 'a red circle'];
    const result = await service.analyze({ images: [SAMPLE_SCENE], texts });
    // The demo's word-level tokenizer cuts 250,000 words to its text length, and reads 300,000 CJK characters
    // without a space as one unknown word.
    assert.deepEqual(result.texts.map((t) => t.truncated), [true, false, false]);
    assert.ok(result.texts[1].tokens.length === 3, `start, one word, end: got ${result.texts[1].tokens.length} tokens`);
    assert.ok(result.similarity[0].every(Number.isFinite));
  } finally {
    await service.dispose();
  }
});

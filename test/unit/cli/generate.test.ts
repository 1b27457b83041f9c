// `mmlens generate` as a user runs it on the tiny LLaVA fixture: the answer is printed as it is generated, then
// the summary; --json writes the result (the greedy tokens torch computed, reference.json), --html a report that
// holds the answer and no raw attention; flags that cannot work together are refused with exit status 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mmlens } from '../../support/mmlens';

const dir = join(__dirname, '..', '..', 'fixtures', 'tiny-llava');
const image = join(dir, 'edges_51x37.png');
const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { steps: { id: number }[] };

test('generate streams the answer, writes the JSON and the HTML report', () => {
  const out = mkdtempSync(join(tmpdir(), 'mmlens-generate-cli-'));
  try {
    const [json, html] = [join(out, 'g.json'), join(out, 'g.html')];
    const run = mmlens('generate', '--model', dir, '--image', image, '--prompt', 'Describe the image.', '--max-new-tokens', '5', '--attention', '--json', json, '--html', html, '--ep', 'cpu');
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(result.generated.map((t: { id: number }) => t.id), reference.steps.slice(0, 5).map((s) => s.id));
    assert.equal(result.attention.decoder.length, 5);
    const [answerLine, summary] = [run.stdout.split('\n')[0], run.stdout.split('\n')[1]];
    assert.equal(answerLine, result.answer);
    assert.match(summary, /^model tiny-llava \(llava\) on cpu: greedy, 5 tokens, stopped at the token limit/);
    assert.match(run.stdout, /wrote .*g\.html\nwrote .*g\.json\n$/);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /Content-Security-Policy/);
    assert.ok(page.includes(JSON.stringify(result.answer).slice(1, -1)), 'the answer is in the report');
    assert.ok(!page.includes('"decoder"'), 'the raw attention stays out of the report');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('generate refuses flags that do not go together, saying which', () => {
  const base = ['generate', '--model', dir, '--image', image, '--prompt', 'Describe the image.'];
  const cases: [string[], RegExp][] = [
    [['--temperature', '0.7'], /--temperature applies to sampling only/],
    [['--sample', '--top-p', '1.5'], /--top-p must be a number above 0 and at most 1/],
    [['--occlusion', '--rise'], /give one of them/],
    [['--rise-masks', '10'], /--rise-masks applies to --rise only/],
    [['--layers', 'all'], /--layers must be a layer or a range/],
    [['--heads', 'min'], /--heads must be mean or max/],
  ];
  for (const [flags, message] of cases) {
    const run = mmlens(...base, ...flags);
    assert.equal(run.status, 2, `${flags.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
  const noPrompt = mmlens('generate', '--model', dir, '--image', image);
  assert.equal(noPrompt.status, 2);
  assert.match(noPrompt.stderr, /needs --prompt/);
});

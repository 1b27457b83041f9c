// The CI pass of the fuzzers (test/fuzz): a few hundred mutated models, configs and images, long texts and
// deep structures, each in a watched worker; only LensErrors for the user may come out, no other exception, no
// crash, no case over the bound. The hang bound is 30 s here (shared CI machines); the long pass uses 10 s.
// Two targets run at a time (two lanes), which keeps the pass as short as it was before the text and deep
// targets joined it. The seed is random and printed; `node --import tsx tools/fuzz.ts --cases 10000` is the long pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { superviseFuzz } from '../../fuzz/supervisor';

const seed = Number(process.env.MMLENS_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/**
 * Cases per target; the slowest first, so that the two lanes end together. A deep graph is refused only when its
 * If's condition names no tensor (about one case in four), so ten cases were all valid for one seed in eight:
 * forty make a pass without a refusal a one-in-10^5 event, for 3 s more. Deep JSON is refused about half the time:
 * twenty cases, so that all-refused or all-accepted is a one-in-10^5 event too. A VLM's mutated configs are refused
 * about half the time as well (151 of 300); thirty cases, 9 s.
 */
const cases = { model: 300, text: 12, deepgraph: 40, vlmconfig: 30, config: 60, image: 120, deepjson: 20 };
/** Targets whose inputs are all valid (long texts): nothing is expected to be refused. */
const neverRefused = new Set(['text']);

test(`short fuzz pass (seed ${seed}): taps and surgery, config readers (a VLM's too), image path, long texts, deep graphs and JSON`, { timeout: 300_000 }, async () => {
  console.log(`fuzz seed ${seed} (rerun with MMLENS_FUZZ_SEED=${seed})`);
  const summary = await superviseFuzz({ seed, cases, caseTimeoutMs: 30_000, lanes: 2 });
  for (const [target, counts] of Object.entries(summary.targets)) console.log(`${target}: ${JSON.stringify(counts)}`);
  const report = summary.failures.map((f) => `${f.target} #${f.index} ${f.kind}: ${f.description}: ${f.error}\n  reproduce: ${f.reproduce}`);
  assert.deepEqual(report, [], `seed ${seed}`);
  // Not vacuous: every target ran all its cases, and some inputs worked while others (mutated ones) were refused.
  assert.deepEqual(Object.fromEntries(Object.entries(summary.targets).map(([t, c]) => [t, c.cases])), cases);
  for (const [target, counts] of Object.entries(summary.targets)) {
    assert.ok(counts.ok > 0 && (neverRefused.has(target) || counts.badInput + counts.badModel > 0), `${target}: ${JSON.stringify(counts)}`);
  }
});

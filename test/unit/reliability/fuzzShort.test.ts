// The CI pass of the fuzzers (test/fuzz): a few hundred mutated models, configs and images, each in a watched
// worker; only LensErrors for the user may come out, no other exception, no crash, no case over the bound.
// The hang bound is 30 s here (shared CI machines); the long pass uses 10 s. The seed is random and printed; `node --import tsx tools/fuzz.ts --cases 10000` is the long pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { superviseFuzz } from '../../fuzz/supervisor';

const seed = Number(process.env.MMLENS_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

test(`short fuzz pass (seed ${seed}): taps and surgery, config readers, image path`, { timeout: 300_000 }, async () => {
  console.log(`fuzz seed ${seed} (rerun with MMLENS_FUZZ_SEED=${seed})`);
  const summary = await superviseFuzz({ seed, cases: { model: 300, config: 60, image: 120 }, caseTimeoutMs: 30_000 });
  for (const [target, counts] of Object.entries(summary.targets)) console.log(`${target}: ${JSON.stringify(counts)}`);
  const report = summary.failures.map((f) => `${f.target} #${f.index} ${f.kind}: ${f.description}: ${f.error}\n  reproduce: ${f.reproduce}`);
  assert.deepEqual(report, [], `seed ${seed}`);
  // Not vacuous: every target ran all its cases, and some mutated inputs still worked while others were refused.
  assert.deepEqual(Object.fromEntries(Object.entries(summary.targets).map(([t, c]) => [t, c.cases])), { model: 300, config: 60, image: 120 });
  for (const counts of Object.values(summary.targets)) {
    assert.ok(counts.ok > 0 && counts.badInput + counts.badModel > 0, JSON.stringify(counts));
  }
});

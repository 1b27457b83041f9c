/**
 * The probe report's readings (src/shared/probeReadings.ts), each against a sentence worked out by hand from the
 * figures it is given, the shapes-fusion case included (caption -> empty text 0.013 against image -> mean
 * image 17.0), and every linked section a real heading of docs/methods.md with GitHub's anchor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ablationReading, crossModalReading, emapReading, headingAnchor, headingLine, METHODS_SECTIONS, mmShapReading, pairScoreMeans, pairScoresReading, perceptualReading, retrievalReading } from '../../../src/shared/probeReadings';
import type { ProbeResult } from '../../../src/shared/probeResult';
import type { ProbeMmShap } from '../../../src/shared/attributionResult';
import { probeFixture, shareCell } from '../../webview/probeFixture';

const methods = readFileSync(join(__dirname, '../../../docs/methods.md'), 'utf8');

/** A single-stream result of two matching pairs: diagonal 5 and 7 (mean 6), off the diagonal -3 and -1 (mean -2). */
function fusion(emptyText: number, meanImage: number): ProbeResult {
  const side = (meanDrop: number) => ({ scores: [0, 0], drop: [meanDrop, meanDrop], meanDrop });
  return {
    ...probeFixture(),
    scoreKind: 'itmLogOdds',
    pairs: [{ image: '/a.png', caption: 'a red circle' }, { image: '/b.png', caption: 'a blue square' }],
    scores: [[5, -3], [-1, 7]],
    ablation: { matched: [5, 7], emptyText: side(emptyText), meanImage: side(meanImage) },
  };
}

test('the ablation reading of the issue\'s shapes-fusion figures says the image moves the score 1308 times more, and what a wrong caption costs', () => {
  const reading = ablationReading(fusion(0.013, 17.0));
  assert.equal(reading.section, 'Modality ablation');
  // 17 / 0.013 = 1307.7; a wrong caption: mean diagonal 6 minus mean off-diagonal -2 = 8.
  assert.equal(reading.text, "Replacing the image by the set's mean image lowers the matching pairs' ITM log-odds by 17.000, replacing the caption by the empty text by 0.013: the score moves 1308 times more without the image. That does not mean the caption is ignored: a wrong caption lowers the score by 8.000 (pair scores), while a wordless text is out of distribution and the matching head scores it almost as a match.");
});

test('the ablation reading turns round when the caption matters more, and a two-tower cosine says it cannot show fusion', () => {
  // 4.5 / 1.5 = 3 times, the caption the larger side, so no note about wordless texts.
  assert.equal(ablationReading(fusion(4.5, 1.5)).text, "Replacing the image by the set's mean image lowers the matching pairs' ITM log-odds by 1.500, replacing the caption by the empty text by 4.500: the score moves 3 times more without the caption.");
  assert.match(ablationReading(probeFixture()).text, /^Replacing the image by the set's mean image lowers the matching pairs' cosine similarity by 0\.200, replacing the caption by the empty text by 0\.200; a cosine depends on both embeddings by construction/);
});

test('the pair scores reading: matching pairs against every other combination, labelled negatives left out of the matching side', () => {
  assert.deepEqual(pairScoreMeans(fusion(1, 1)), { matching: 6, others: -2 });
  // probeFixture: pair 1 is labelled 0, so matching = (0.2 + 0.6) / 2 = 0.4; off-diagonal (0.1+0.9+0.3+0.5-0.5+0.0) / 6 = 0.2166...
  assert.equal(pairScoresReading(probeFixture())?.text, 'Matching pairs (the diagonal) score 0.400 on average, every other image-caption combination 0.217: the model scores a pair 0.183 higher than a mismatch on average.');
  assert.equal(pairScoresReading({ ...probeFixture(), scores: undefined }), undefined);
});

test('retrieval against chance, 1 / distinct candidates', () => {
  // Three distinct captions and images: chance 1/3; R@1 0.5 is 1.5 times it, 0.25 is 0.75 times.
  assert.equal(retrievalReading(probeFixture()).text, 'The right caption ranks first for 50.0% of 2 images, 1.5 times chance (1 in 3); the right image for 25.0% of 2 captions, 0.8 times chance (1 in 3). This says the scores rank the pairs, not how the modalities are combined.');
});

test('EMAP: what interaction adds, none when the projection keeps up, and the unlabelled figure that cannot say', () => {
  assert.equal(emapReading(probeFixture()).text, "The additive projection reaches 0.500 of the full model's 1.000 (accuracy): image-text interaction adds 0.500.");
  assert.match(emapReading({ ...probeFixture(), emap: { metric: 'accuracy', full: 0.9, additive: 0.89 } }).text, /: the model solves this set as well without any image-text interaction\.$/);
  assert.match(emapReading({ ...probeFixture(), emap: { metric: 'recall@1', full: 1, additive: 1 / 3, notice: 'fixed' } }).text, /^Without labels the additive figure \(0\.333\) is fixed by construction/);
});

test('the perceptual score: which shuffle costs more decides the reading', () => {
  const with_ = (image: number, text: number) => perceptualReading({ ...probeFixture(), perceptualScore: { ...probeFixture().perceptualScore, image, text } }).text;
  // The fixture: image 0.4, text 0.2, and 0.2 >= half of 0.4: both.
  assert.equal(with_(0.4, 0.2), 'Shuffling the images costs 0.400 of the accuracy, shuffling the captions 0.200: the model needs both.');
  assert.match(with_(0.4, 0.1), /the model relies mostly on the image\.$/);
  assert.match(with_(0.05, 0.5), /the model relies mostly on the captions\.$/);
  assert.match(with_(0.01, 0.0), /neither shuffle hurts/);
});

test('cross-modal attention names the heads that stand out; MM-SHAP the modality the predictions rest on', () => {
  // Layer 1 head 0 has the largest text-to-image z (2), layer 0 head 1 the largest image-to-text z (-(-1.5) = 1.5).
  const cells = [[shareCell(0.5, 0.5), shareCell(0.2, -1.5)], [shareCell(0.9, 2), shareCell(0.4, 0)]];
  assert.equal(crossModalReading(cells)?.text, 'Text queries look at the image most, for their share, in layer 1 head 0 (0.900, z 2.0); image queries look at the text most in layer 0 head 1 (0.100, z 1.5). Shares grow with token counts: compare heads, not models.');
  const shap = { mean: 0.4, pairs: 20 } as ProbeMmShap;
  // V-SHAP 0.6 = 1.5 times T-SHAP 0.4.
  assert.equal(mmShapReading(shap).text, 'The predictions rest more on the image (1.5 times the text\'s share): T-SHAP 0.400, V-SHAP 0.600 over 20 pairs, whether or not the model is right.');
  assert.match(mmShapReading({ ...shap, mean: 0.52 }).text, /^The predictions rest on both about equally/);
});

test('every linked section is a heading of docs/methods.md, with GitHub\'s anchor', () => {
  for (const section of METHODS_SECTIONS) assert.ok(headingLine(methods, section) >= 0, section);
  assert.equal(headingAnchor('Modality ablation'), 'modality-ablation');
  assert.equal(headingAnchor('Dataset probes: does the model really combine the modalities?'), 'dataset-probes-does-the-model-really-combine-the-modalities');
  assert.equal(headingAnchor('MM-SHAP (`probe --mm-shap N`, `analyze --mm-shap`)'), 'mm-shap-probe---mm-shap-n-analyze---mm-shap');
  assert.equal(headingLine('# A\ntext Modality ablation\n### Modality ablation\n', 'Modality ablation'), 2);
});

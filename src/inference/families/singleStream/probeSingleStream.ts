/**
 * The probe's model runs on a single-stream model: every distinct image with every distinct caption and with
 * the empty text, one joint pass per pair, in blocks of one image and consecutive texts; then the mean image
 * with every caption. Scores are the ITM match log-odds. The attention of the matched pairs is reduced to
 * its cross-modal share as it arrives; the rest is dropped.
 */
import { crossModalCells } from '../../../analysis/attention/crossModalCells';
import { crossModalShare, type CrossModalShare } from '../../../analysis/attention/crossModalShare';
import { vlInterpretMeans, vlInterpretStats, type VlInterpretMeans } from '../../../analysis/attention/vlInterpret';
import type { PairKeys } from '../../../analysis/probes/retrieval';
import { itemAttention } from '../../tasks/analysisParts';
import { attentionBytes, forEachBlock } from '../../tasks/probeBlocks';
import type { ProbeImages } from '../../tasks/probeImages';
import { truncationNotices, type ProbeRun, type ProbeScores } from '../../tasks/probeParts';
import { unobservable } from '../../tasks/notices';
import type { Stopwatch } from '../../tasks/stopwatch';
import type { PreprocessedImage } from '../../images/preprocess';
import type { Size2D } from '../../model/preprocessorConfig';
import type { LongRunOptions } from '../../../core/progress';
import type { SingleStreamModel } from './singleStreamModel';
import type { PairScores } from '../../tasks/pairMatching';
import type { EncodedText } from '../../model/tokenize';

/** The scores, and the cross-modal attention of each matched combination, both ways (none when attention is hidden). */
type ScoredSet = ProbeScores & { shares: CrossModalShare[]; vlMeans: VlInterpretMeans[] };

/**
 * The share of pair `item` of a scorePairs call with one image of `size`, where pair k is text k, and its block
 * means as VL-InterpreT takes them (without the text's start and end tokens).
 */
function pairAttention(model: SingleStreamModel, scores: PairScores, item: number, size: Size2D): { share: CrossModalShare; vl?: VlInterpretMeans } {
  const L = scores.batch.length;
  const mask = Array.from(scores.batch.attentionMask.subarray(item * L, (item + 1) * L), Number);
  const layers = scores.attention.map((layer) => itemAttention(layer, item));
  const [heads, tokens, layout] = [scores.attention[0].heads, model.layoutInfo(size).tokens, model.layoutFor(size)];
  const ids = scores.batch.ids.subarray(item * L, (item + 1) * L);
  const startOrEnd = (position: number) => model.specialIds.has(Number(ids[position - layout.textStart]));
  return { share: crossModalShare(layers, heads, tokens, layout, mask), vl: vlInterpretMeans(layers, heads, tokens, layout, mask, startOrEnd) };
}

/**
 * Scores the distinct images x captions, and reports the cross-modal attention of the pairs `keys` marks as
 * matching (or, when the graph hides its attention, why it is not reported).
 */
export async function probeSingleStream(model: SingleStreamModel, images: ProbeImages, captions: string[], keys: PairKeys, stopwatch: Stopwatch, options: LongRunOptions = {}): Promise<ProbeRun> {
  const matched = new Set(Array.from(keys.images).flatMap((image, i) => (keys.matches[i] ? [image * captions.length + keys.captions[i]] : [])));
  const { shares, vlMeans, ...scores } = await stopwatch.time('joint', () => scoreSet(model, images, captions, matched, options));
  if (shares.length > 0) return { ...scores, scoreKind: 'itmLogOdds', crossModalAttention: crossModalCells(shares), ...(vlMeans.length > 0 && { vlInterpret: vlInterpretStats(vlMeans) }) };
  return { ...scores, scoreKind: 'itmLogOdds', notices: [...scores.notices, `Cross-modal attention is not reported. ${unobservable(model.joint.fusedOperators)}`] };
}

/** `matched` holds image * captions + caption for the combinations whose attention shares are kept. */
async function scoreSet(model: SingleStreamModel, images: ProbeImages, captions: string[], matched: ReadonlySet<number>, options: LongRunOptions): Promise<ScoredSet> {
  const { signal, onProgress } = options;
  const count = images.paths.length;
  const texts = [...captions, ''];
  const T = texts.length;
  const result: ScoredSet = { scores: new Float32Array(count * captions.length), emptyText: new Float32Array(count), meanImage: new Float32Array(captions.length), notices: [], shares: [], vlMeans: [] };
  let current: { index: number; image: PreprocessedImage } | undefined;
  const encoded: EncodedText[] = [];
  await forEachBlock(count * T, async (start, end) => {
    const index = Math.floor(start / T);
    if (current?.index !== index) current = { index, image: await images.load(index) };
    const first = start - index * T;
    const { image } = current;
    const out = await model.scorePairs([image], texts.slice(first, first + end - start), { signal });
    if (index === 0) encoded.push(...out.batch.items.filter((_, k) => first + k < captions.length));
    out.logOdds.forEach((score, k) => {
      const text = first + k;
      if (text === captions.length) result.emptyText[index] = score;
      else {
        result.scores[index * captions.length + text] = score;
        if (out.attention.length > 0 && matched.has(index * captions.length + text)) {
          const { share, vl } = pairAttention(model, out, k, image.outputSize);
          result.shares.push(share);
          if (vl) result.vlMeans.push(vl);
        }
      }
    });
    // Not the manifest's pairs: every image is scored with every caption and with the empty text.
    onProgress?.({ stage: 'image x caption scores', done: end, total: count * T });
    return attentionBytes(out.attention);
  }, signal, T);
  const mean = images.mean();
  await forEachBlock(captions.length, async (start, end) => {
    const out = await model.scorePairs([mean], captions.slice(start, end), { signal });
    result.meanImage.set(out.logOdds, start);
    onProgress?.({ stage: 'mean-image scores', done: end, total: captions.length });
    return attentionBytes(out.attention);
  }, signal);
  result.notices.push(...truncationNotices(encoded), ...images.summary());
  return result;
}

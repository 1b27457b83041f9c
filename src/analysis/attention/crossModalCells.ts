/** Cross-modal attention as results report it: the mean share over several pairs, with z-scores, per layer and head. */
import type { ShareCell } from '../../shared/probeResult';
import { meanShare, shareZScores, type CrossModalShare } from './crossModalShare';

/** [layer][head] cells of the mean share of `shares` (one per matched pair), each with its z-scores across all heads. */
export function crossModalCells(shares: CrossModalShare[]): ShareCell[][] {
  const mean = meanShare(shares);
  const z = shareZScores(mean);
  return Array.from({ length: mean.layers }, (_, l) =>
    Array.from({ length: mean.heads }, (_, h) => {
      const at = l * mean.heads + h;
      return {
        textToImage: mean.textToImage[at],
        imageToText: mean.imageToText[at],
        within: mean.withinModality[at],
        z: { textToImage: z.textToImage[at], imageToText: z.imageToText[at], within: z.withinModality[at] },
      };
    }));
}

/**
 * What every family's probe returns, and the notice about captions cut to the model's text length.
 */
import type { ProbeResult } from '../../shared/probeResult';
import type { EncodedText } from '../model/tokenize';

/** Scores over the distinct images and captions of the set. */
export interface ProbeScores {
  /** distinct images x distinct captions, row-major: two-tower cosine similarity, single-stream ITM log-odds. */
  scores: Float32Array;
  /** Per distinct image: its score with the empty text. */
  emptyText: Float32Array;
  /** Per distinct caption: its score with the mean image. */
  meanImage: Float32Array;
  notices: string[];
}

/** A family's probe: the scores, what kind they are, and what the model's internals add (geometry or cross-modal attention). */
export type ProbeRun = ProbeScores & Pick<ProbeResult, 'scoreKind' | 'geometry' | 'crossModalAttention' | 'vlInterpret'>;

const QUOTED_CAPTIONS = 3;

/** A notice for the captions that were cut to the model's text length, or none. */
export function truncationNotices(items: EncodedText[]): string[] {
  const cut = items.filter((item) => item.truncated);
  if (cut.length === 0) return [];
  const quoted = cut.slice(0, QUOTED_CAPTIONS).map((item) => JSON.stringify(item.text)).join(', ');
  return [`${cut.length} caption(s) are longer than the model's text length; their ends were cut (${quoted}${cut.length > QUOTED_CAPTIONS ? ', …' : ''}).`];
}

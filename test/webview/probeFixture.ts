/**
 * A hand-made probe result for the probe report's browser tests: three pairs (one caption hostile HTML), a score
 * matrix whose maximum is at [0][2] and minimum at [2][0], and every section's numbers chosen to be read back.
 */
import { PROBE_SCHEMA_VERSION, type ProbeResult, type ShareCell } from '../../src/shared/probeResult';

/** A caption that would run script if the report ever put it in as HTML. */
export const XSS_CAPTION = '<img src=x onerror=alert(1)>';

const side = (score: number) => ({ scores: [score, score, score], drop: [0.1, 0.2, 0.3], meanDrop: 0.2 });

/** One layer x head cell of cross-modal attention shares, with z-scores +z / -z / 0. */
export const shareCell = (v: number, z: number): ShareCell => ({ textToImage: v, imageToText: v / 2, within: 1 - v, z: { textToImage: z, imageToText: -z, within: 0 } });

/** The two-tower probe result (a fresh copy each call). */
export function probeFixture(): ProbeResult {
  return {
    schemaVersion: PROBE_SCHEMA_VERSION,
    kind: 'probe',
    model: { name: 'fixture', architecture: 'twoTower', executionProvider: 'cpu', notices: ['A notice'] },
    manifest: { path: 'set.jsonl', format: 'jsonl', pairs: 3, limit: 500, limited: false, labelled: true, missingImages: { count: 1, examples: ['line 2: gone.png'] } },
    pairs: [{ image: '/a/red.png', caption: 'a red circle', label: 1 }, { image: '/a/blue.png', caption: XSS_CAPTION, label: 0 }, { image: '/a/green.png', caption: 'a green square', label: 1 }],
    scoreKind: 'cosine',
    // The maximum at [0][2], the minimum at [2][0].
    scores: [[0.2, 0.1, 0.9], [0.3, 0.4, 0.5], [-0.5, 0.0, 0.6]],
    retrieval: { imageToText: { r1: 0.5, r5: 1, r10: 1 }, textToImage: { r1: 0.25, r5: 1, r10: 1 }, queries: { imageToText: 2, textToImage: 2 } },
    emap: { metric: 'accuracy', full: 1, additive: 0.5, threshold: 0.3, auc: { full: 1, additive: 0.25 } },
    perceptualScore: { metric: 'accuracy', full: 1, image: 0.4, text: 0.2, permuted: { image: [0.6, 0.6], text: [0.8, 0.8] }, seed: 7 },
    ablation: { matched: [0.2, 0.4, 0.6], emptyText: side(0.1), meanImage: side(0.2) },
    geometry: { modalityGap: 0.75, alignment: 1.25, uniformity: { image: -2, text: null }, pca: { explainedVarianceRatio: [0.6, 0.3], images: [[-1, 0], [-1, 1], [-1, -1]], texts: [[1, 0], [1, 1], [1, -1]] } },
    timings: { towers: 5 },
  };
}

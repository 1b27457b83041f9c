/**
 * The geometry of a two-tower model's joint space over the set: the modality gap, alignment and uniformity,
 * and a 2-D PCA of both clouds. The gap and the PCA take one point per pair (a repeated image counts as often
 * as it appears), alignment the matching pairs, and uniformity each distinct image or caption once, since a
 * repeated item would add distances of exactly 0.
 */
import { modalityGap, pairAlignment, uniformity } from '../../../analysis/probes/embeddingGeometry';
import { pca2d } from '../../../analysis/probes/pca';
import type { PairKeys } from '../../../analysis/probes/retrieval';
import type { ProbeResult } from '../../../shared/probeResult';

/** The embeddings of the distinct items, `dim` wide. */
export interface DistinctEmbeddings {
  imageEmbeds: Float32Array;
  textEmbeds: Float32Array;
  dim: number;
}

/** Rows `keys[r]` of a row-major matrix of width `dim`, picked for each entry of `rows`. */
function pickRows(data: Float32Array, dim: number, keys: ArrayLike<number>, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(data.subarray(keys[r] * dim, (keys[r] + 1) * dim), i * dim));
  return out;
}

/** Points of a row-major n x 2 array as [x, y] pairs. */
function points(coordinates: Float32Array, from: number, count: number): [number, number][] {
  return Array.from({ length: count }, (_, i) => [coordinates[2 * (from + i)], coordinates[2 * (from + i) + 1]]);
}

/** The geometry of the set's embeddings; `keys` map each pair to its distinct image and caption. */
export function embeddingGeometry(embeddings: DistinctEmbeddings, keys: PairKeys): NonNullable<ProbeResult['geometry']> {
  const { imageEmbeds, textEmbeds, dim } = embeddings;
  const n = keys.images.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const matching = all.filter((i) => keys.matches[i]);
  const images = pickRows(imageEmbeds, dim, keys.images, all);
  const texts = pickRows(textEmbeds, dim, keys.captions, all);
  const distinct = (data: Float32Array) => (data.length / dim >= 2 ? uniformity(data, dim) : null);
  const pca = pca2d(images, texts, dim);
  return {
    modalityGap: modalityGap(images, texts, dim),
    alignment: pairAlignment(pickRows(imageEmbeds, dim, keys.images, matching), pickRows(textEmbeds, dim, keys.captions, matching), dim),
    uniformity: { image: distinct(imageEmbeds), text: distinct(textEmbeds) },
    pca: { explainedVarianceRatio: pca.explainedVarianceRatio, images: points(pca.coordinates, 0, n), texts: points(pca.coordinates, n, n) },
  };
}

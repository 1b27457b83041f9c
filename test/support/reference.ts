// Reference formulas written independently of src/analysis, for known-value tests.

/** Cosine similarity of two vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** Softmax of `values` multiplied by `scale`. */
export function softmax(values: number[], scale: number): number[] {
  const exps = values.map((v) => Math.exp(scale * v - Math.max(...values.map((x) => scale * x))));
  const sum = exps.reduce((s, e) => s + e, 0);
  return exps.map((e) => e / sum);
}

/** Row `query` of Abnar & Zuidema's rollout: A_l = 0.5 mean_heads(W_l) + 0.5 I, R = A_L ... A_1. */
export function rolloutRow(attention: number[][][][] /* [layer][head][q][k] */, query: number): number[] {
  const tokens = attention[0][0].length;
  let product: number[][] = Array.from({ length: tokens }, (_, i) => Array.from({ length: tokens }, (_, j) => (i === j ? 1 : 0)));
  for (const heads of attention) {
    const a = heads[0].map((row, i) => row.map((_, j) => 0.5 * heads.reduce((s, h) => s + h[i][j], 0) / heads.length + (i === j ? 0.5 : 0)));
    product = a.map((row) => product[0].map((_, j) => row.reduce((s, v, k) => s + v * product[k][j], 0)));
  }
  return product[query];
}

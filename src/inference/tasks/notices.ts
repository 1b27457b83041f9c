/** Sentences for the user about what a model lets us observe. */

/** The notice for a graph whose attention probabilities are hidden in fused operators (or absent). */
export function unobservable(fusedOperators: string[]): string {
  const why = fusedOperators.length > 0 ? `it uses fused attention operators (${[...new Set(fusedOperators)].join(', ')})` : 'no attention Softmax was found in the graph';
  return `Attention is not observable in this model: ${why}. Similarity and alignment still work; export the model without attention fusion to see attention maps.`;
}

/** Zero-shot labels edited as one line of text: comma-separated, as the input box shows them. */

/** The labels of a comma- or newline-separated list, trimmed, empty ones and repeats dropped, in order. */
export function parseLabelList(text: string): string[] {
  const labels = text.split(/[,\n]/).map((l) => l.trim()).filter((l) => l !== '');
  return [...new Set(labels)];
}

/** The labels as one comma-separated line, the inverse of parseLabelList for labels without commas. */
export function formatLabelList(labels: readonly string[]): string {
  return labels.join(', ');
}

/**
 * The plain-text summary `mmlens analyze` prints: similarity, probability (and ITM) of every image x text, with
 * --lens each vision layer's leading text per image, and what attention flow cost.
 */
import type { AnalysisResult } from '../shared/analysisResult';
import type { AttentionDetails } from '../shared/attentionDetails';
import { characterCount, firstCharacters } from '../shared/characters';

/** Characters of a text the table shows; a longer one is cut there, with its length said. */
const SHOWN_CHARACTERS = 80;

/** A table with one row per (image, text) pair, then the model, provider, attention flow's cost and notices. */
export function summaryTable(result: AnalysisResult & Pick<AttentionDetails, 'flow'>): string {
  const lines = [`model ${result.model.name} (${result.model.architecture}) on ${result.model.executionProvider}`];
  result.images.forEach((image, i) => {
    lines.push(image.path);
    result.texts.forEach((text, j) => {
      const truncated = text.truncated ? ' (truncated)' : '';
      const match = result.itm ? `  itm=${result.itm[i][j].toFixed(4)}` : '';
      lines.push(`  ${result.similarity[i][j].toFixed(4).padStart(8)}  p=${result.probabilities[i][j].toFixed(4)}${match}  ${shownText(text.text)}${truncated}`);
    });
  });
  result.lens?.layers.forEach((layer, l) => {
    const leaders = result.images.map((image, i) => {
      const row = layer.probabilities[i];
      const best = row.indexOf(Math.max(...row));
      const which = result.images.length > 1 ? `${image.path}: ` : '';
      return `${which}${shownText(result.texts[best].text)} p=${row[best].toFixed(4)} (cosine ${layer.similarity[i][best].toFixed(4)})`;
    });
    lines.push(`lens layer ${l}: ${leaders.join('; ')}`);
  });
  for (const cost of result.flow?.perImage ?? []) {
    lines.push(`attention flow: ${cost.maxFlows} max-flows on ${cost.nodes} nodes and ${cost.edges} edges, ${(cost.milliseconds / 1000).toFixed(2)} s`);
  }
  for (const notice of result.model.notices) lines.push(`note: ${notice}`);
  return lines.join('\n');
}

function shownText(text: string): string {
  const count = characterCount(text);
  if (count <= SHOWN_CHARACTERS) return JSON.stringify(text);
  return `${JSON.stringify(`${firstCharacters(text, SHOWN_CHARACTERS)}…`)} (${count} characters)`;
}

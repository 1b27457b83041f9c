/**
 * Show Model Anatomy as a Markdown document: a summary a person reads (architecture, graphs, attention taps,
 * the fusion family, notices), then the whole inspect result as JSON for anything the summary leaves out.
 */
import type { InspectResult } from '../inference/tasks/inspect';

/** Table cells cannot hold `|` or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function shape(dims: (number | string | null)[] | null): string {
  return dims ? `[${dims.map((d) => d ?? '?').join(', ')}]` : 'unknown';
}

/** One line per tower: how many attention layers are tapped and their sizes (heads, queries x keys). */
function tapLines(taps: InspectResult['taps']): string[] {
  const towers = [...new Set(taps.map((t) => t.tower))];
  return towers.map((tower) => {
    const own = taps.filter((t) => t.tower === tower);
    const sizes = [...new Set(own.map((t) => `${t.heads} heads, ${t.queries} x ${t.keys}`))];
    return `- ${tower}: ${own.length} attention layer${own.length === 1 ? '' : 's'} (${sizes.join('; ')})`;
  });
}

/** The anatomy document for `result`. */
export function anatomyMarkdown(result: InspectResult): string {
  const { model, anatomy } = result;
  const lines = [
    `# Model anatomy: ${model.name}`,
    '',
    `Folder: \`${model.dir}\`  `,
    `Architecture: ${model.architecture}, execution provider: ${model.executionProvider}, patch grid ${result.grid.rows} x ${result.grid.cols}`,
    '',
    result.architectureGuess,
    '',
    `## Fusion family: ${anatomy.family}`,
    '',
    anatomy.description,
    '',
    '## Graphs',
    '',
    '| tower | file | inputs | outputs | fused attention |',
    '| --- | --- | --- | --- | --- |',
    ...result.graphs.map((g) => `| ${g.tower} | ${cell(g.file)} | ${cell(g.inputs.map((i) => `${i.name} ${shape(i.shape)}`).join(', '))} | ${g.outputs.length} | ${cell(g.fusedOperators.join(', ') || 'none')} |`),
    '',
    '## Attention taps',
    '',
    ...(result.taps.length > 0 ? tapLines(result.taps) : ['None: attention is not observable in this model.']),
    '',
    `Dense projection (value-path alignment): ${result.denseProjection.available ? 'available' : `unavailable, ${result.denseProjection.reason ?? 'no reason given'}`}`,
    ...(model.notices.length > 0 ? ['', '## Notices', '', ...model.notices.map((n) => `- ${n}`)] : []),
    '',
    '## Full inspect result',
    '',
    '```json',
    JSON.stringify(result, null, 2),
    '```',
    '',
  ];
  return lines.join('\n');
}

/**
 * `mmlens heads`: head importance by ablation (docs/methods.md): one image and one text, the score drop when each
 * attention head of a stream (a tower, a single-stream model's joint layers, a matcher's cross-attention), or each
 * whole layer, is masked out; writes the JSON (`--json`), the self-contained HTML report of the grid (`--html`) and,
 * unless JSON goes to standard output, the layer x head grid of drops.
 */
import { badInput } from '../core/errors';
import type { HeadImportanceRequest } from '../inference/service';
import type { HeadImportanceResult, HeadStream } from '../shared/headImportance';
import type { CliCommand, FlagValues } from './command';
import { buildHtmlReport } from './htmlReport';
import { refuseOverwritingInputs, sayWritten, terminalProgress, writeFileAtomically, writeJson } from './output';
import { readReportAssets } from './reportAssets';
import { terminalText } from './terminalText';

const STREAMS: readonly HeadStream[] = ['vision', 'text', 'joint', 'cross'];

/** The heads command. */
export const headsCommand: CliCommand = {
  name: 'heads',
  usage: 'heads [--model DIR] --image PATH --text TEXT [--stream vision|text|joint|cross] [--ep auto|cpu|webgpu|cuda] [--json FILE|-] [--html FILE]',
  flags: {
    image: { type: 'string' },
    text: { type: 'string' },
    stream: { type: 'string' },
    html: { type: 'string' },
  },
  async run(values, { service, signal, packageRoot }) {
    const request: HeadImportanceRequest = {
      modelDir: values.model as string | undefined,
      image: required(values, 'image'),
      text: required(values, 'text'),
      stream: streamFlag(values.stream),
    };
    const json = values.json as string | undefined;
    const html = values.html as string | undefined;
    refuseOverwritingInputs([json, html], [request.image]);
    const progress = terminalProgress();
    const result = await service.headImportance(request, { signal, onProgress: progress.onProgress });
    progress.clear();
    if (json) await writeJson(json, result);
    if (html) await writeFileAtomically(html, buildHtmlReport({ result }, await readReportAssets(packageRoot, 'heads')));
    if (json !== '-') console.log(terminalText(headTable(result)));
    sayWritten([html, json], json);
  },
};

function required(values: FlagValues, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value.trim() === '') throw badInput(`mmlens heads needs --${flag}.`, `Usage: mmlens ${headsCommand.usage}`);
  return value;
}

/**
 * The layers to ablate; undefined lets the family choose (a two-tower model's vision tower, a single-stream model's
 * joint layers, a cross-attention matcher's cross-attention).
 */
function streamFlag(value: FlagValues[string]): HeadStream | undefined {
  if (value === undefined) return undefined;
  const stream = STREAMS.find((s) => s === value);
  if (!stream) throw badInput(`Unknown --stream "${String(value)}".`, `Use one of ${STREAMS.join(', ')}: whose heads are masked (a tower of a two-tower model, a single-stream model's joint layers, a cross-attention matcher's encoders or cross-attention).`);
  return stream;
}

/** The plain-text grid: the score, then per layer each head's drop and the whole layer's, then the cost. */
export function headTable(result: HeadImportanceResult): string {
  const cell = (value: number) => (value >= 0 ? ' ' : '') + value.toFixed(4);
  const heads = Array.from({ length: result.heads }, (_, h) => `head ${h}`.padStart(8));
  const lines = [
    `model ${result.model.name} (${result.model.architecture}) on ${result.model.executionProvider}: ${result.stream} layers, ${result.layers} x ${result.heads} heads`,
    `${result.scoreKind === 'itm' ? 'matching probability' : 'cosine'} of the image and the text: ${result.score.toFixed(4)} (masked graph with every head kept: off by ${result.allOnesGap.toExponential(1)})`,
    `score drop when masked (${result.method}):`,
    `layer ${heads.join('')}   whole layer`,
    ...result.importance.map((row, l) => `${String(l).padStart(5)} ${row.map((v) => cell(v).padStart(8)).join('')}   ${cell(result.layerImportance[l]).padStart(8)}`),
    `${result.cost.forwardPasses} forward passes in ${result.cost.totalMs.toFixed(0)} ms (${result.cost.msPerPass.toFixed(1)} ms each)`,
  ];
  for (const notice of result.model.notices) lines.push(`note: ${notice}`);
  return lines.join('\n');
}

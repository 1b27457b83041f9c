/**
 * `mmlens analyze`: runs the analysis, then writes the JSON (`--json`), the self-contained HTML report
 * (`--html`) and, unless JSON goes to standard output, a short summary table.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysisResult } from '../shared/analysisResult';
import { LensError } from '../inference/errors';
import { imagePreviewDataUrl } from '../inference/imagePreview';
import type { InferenceService } from '../inference/service';
import { stringList } from './args';
import type { CliCommand } from './command';
import { buildHtmlReport } from './htmlReport';
import { writeFileAtomically, writeJson } from './output';
import { summaryTable } from './summary';

/** Options of `mmlens analyze`. */
export interface AnalyzeArgs {
  model?: string;
  images: string[];
  texts: string[];
  json?: string;
  html?: string;
  attention: boolean;
}

/** The analyze command. */
export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: 'analyze [--model DIR] --image PATH [--image PATH ...] --text TEXT [--text TEXT ...]\n' +
    '                 [--ep auto|cpu|webgpu|cuda] [--json FILE|-] [--html FILE] [--attention]',
  flags: {
    image: { type: 'string', multiple: true },
    text: { type: 'string', multiple: true },
    html: { type: 'string' },
    attention: { type: 'boolean' },
  },
  run(values, { service, packageRoot, signal }) {
    const args: AnalyzeArgs = {
      model: values.model as string | undefined,
      images: stringList(values, 'image', analyzeCommand),
      texts: stringList(values, 'text', analyzeCommand),
      json: values.json as string | undefined,
      html: values.html as string | undefined,
      attention: values.attention === true,
    };
    return runAnalyze(service, args, packageRoot, signal);
  },
};

/** Runs `mmlens analyze` with parsed arguments; `packageRoot` locates the built webview assets. */
export async function runAnalyze(service: InferenceService, args: AnalyzeArgs, packageRoot: string, signal?: AbortSignal): Promise<void> {
  const onProgress = process.stderr.isTTY ? (p: { stage: string; done: number; total: number }) => process.stderr.write(`\r${p.stage} ${p.done}/${p.total} `) : undefined;
  const result = await service.analyze(
    { modelDir: args.model, images: args.images, texts: args.texts, includeAttention: args.attention || args.html !== undefined },
    { signal, onProgress },
  );
  if (onProgress) process.stderr.write('\r\x1b[K');
  if (args.html) await writeHtml(args.html, result, packageRoot);
  if (!args.attention) delete result.attention;
  if (args.json) await writeJson(args.json, result);
  if (args.json !== '-') console.log(summaryTable(result));
}

async function writeHtml(path: string, result: AnalysisResult, packageRoot: string): Promise<void> {
  const images = await Promise.all(result.images.map((image) => imagePreviewDataUrl(image.path)));
  await writeFileAtomically(path, buildHtmlReport({ result, images }, await readAssets(packageRoot)));
}

async function readAssets(packageRoot: string): Promise<{ script: string; css: string }> {
  const folder = join(packageRoot, 'dist', 'webview');
  try {
    const [script, css] = await Promise.all([readFile(join(folder, 'report.js'), 'utf8'), readFile(join(folder, 'report.css'), 'utf8')]);
    return { script, css };
  } catch {
    throw new LensError('internal', `The report assets are missing from ${folder}.`, 'Run `npm run build` first.');
  }
}

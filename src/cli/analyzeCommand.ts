/**
 * `mmlens analyze`: runs the analysis, then writes the JSON (`--json`), the self-contained HTML report
 * (`--html`) and, unless JSON goes to standard output, a short summary table.
 */
import type { AlignmentMethod } from '../shared/analysisResult';
import type { DetailedAnalysisResult } from '../shared/attentionDetails';
import type { ReportAttentionLevel } from '../shared/packedAttention';
import { badInput } from '../core/errors';
import { imagePreviewDataUrl } from '../inference/images/imagePreview';
import type { InferenceService } from '../inference/service';
import type { AttentionDetailOptions } from '../inference/tasks/attentionDetails';
import { stringList } from './args';
import { ATTENTION_FLAGS, ATTENTION_USAGE, attentionDetailOptions } from './attentionFlags';
import { analyzeAttribution, departureLines, mmShapLines, occlusionLines, runAttributions, SHAP_FLAGS, SHAP_USAGE, type AttributionRequest } from './attributionFlags';
import type { CliCommand } from './command';
import { buildHtmlReport } from './htmlReport';
import { pageAnalysis } from '../inference/tasks/packAttention';
import { refuseOverwritingInputs, sayWritten, terminalProgress, writeFileAtomically, writeJson } from './output';
import { readReportAssets } from './reportAssets';
import { summaryTable } from './summary';
import { textFileInputs, textFlags, textList } from './textFiles';
import { terminalText } from './terminalText';

/** Options of `mmlens analyze`. */
export interface AnalyzeArgs {
  model?: string;
  images: string[];
  texts: string[];
  json?: string;
  html?: string;
  attention: boolean;
  /** How much attention the HTML report holds; by its size when absent (src/inference/tasks/packAttention.ts). */
  reportAttention?: ReportAttentionLevel;
  /** Head statistics, text attention and the rollout variant. */
  details?: AttentionDetailOptions;
  /** Two-tower alignment maps from the patch tokens, MaskCLIP, the values alone or ClearCLIP; the service's default when absent. */
  alignment?: AlignmentMethod;
  /** Two-tower models: every vision layer's lens (scores and alignment maps through the model's own head). */
  lens: boolean;
  /** Text-token occlusion and MM-SHAP of every image x text pair, into the JSON's `attribution`. */
  attribution?: AttributionRequest;
}

/** `--alignment` words and the methods they pick. */
const ALIGNMENT_WORDS: Record<string, AlignmentMethod> = { patch: 'patchTokens', maskclip: 'maskclip', values: 'values', clearclip: 'clearclip' };

/** The analyze command. */
export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: 'analyze [--model DIR] --image PATH [--image PATH ...] --text TEXT [--text TEXT ...] [--text-file FILE|-]\n' +
    '                 [--ep auto|cpu|webgpu|cuda] [--json FILE|-] [--html FILE] [--report-attention none|thumbnails|full]\n' +
    '                 [--attention] [--alignment patch|maskclip|values|clearclip] [--lens]\n' +
    `                 ${ATTENTION_USAGE}\n` +
    `                 [--text-occlusion] [--mm-shap] ${SHAP_USAGE}`,
  flags: {
    image: { type: 'string', multiple: true },
    ...textFlags('text'),
    html: { type: 'string' },
    attention: { type: 'boolean' },
    'report-attention': { type: 'string' },
    alignment: { type: 'string' },
    lens: { type: 'boolean' },
    ...ATTENTION_FLAGS,
    'text-occlusion': { type: 'boolean' },
    'mm-shap': { type: 'boolean' },
    ...SHAP_FLAGS,
  },
  run(values, { service, packageRoot, signal }) {
    const args: AnalyzeArgs = {
      model: values.model as string | undefined,
      images: stringList(values, 'image', analyzeCommand),
      texts: textList(values, 'text', analyzeCommand),
      json: values.json as string | undefined,
      html: values.html as string | undefined,
      attention: values.attention === true,
      reportAttention: reportAttentionFlag(values['report-attention'], values.html !== undefined),
      details: attentionDetailOptions(values, analyzeCommand),
      alignment: alignmentFlag(values.alignment),
      lens: values.lens === true,
      attribution: analyzeAttribution(values, analyzeCommand),
    };
    refuseOverwritingInputs([args.json, args.html], [...args.images, ...textFileInputs(values, 'text')]);
    return runAnalyze(service, args, packageRoot, signal);
  },
};

/** Runs `mmlens analyze` with parsed arguments; `packageRoot` locates the built webview assets. */
export async function runAnalyze(service: InferenceService, args: AnalyzeArgs, packageRoot: string, signal?: AbortSignal): Promise<void> {
  const progress = terminalProgress();
  const result = await service.analyze(
    {
      ...args.details, modelDir: args.model, images: args.images, texts: args.texts, includeAttention: args.attention, alignment: args.alignment, lens: args.lens,
      ...(args.html !== undefined ? { pageAttention: { level: args.reportAttention } } : {}),
    },
    { signal, onProgress: progress.onProgress },
  );
  const attribution = args.attribution && await runAttributions(service, args.model, args.images, args.texts, args.attribution, { signal, onProgress: progress.onProgress });
  progress.clear();
  if (args.html) await writeHtml(args.html, result, packageRoot);
  delete result.pageAttention;
  if (args.json) await writeJson(args.json, attribution ? { ...result, attribution } : result);
  if (args.json !== '-') {
    console.log(terminalText(summaryTable(result)));
    const shap = attribution?.mmShap ?? [];
    const lines = [...(attribution?.textOcclusion ?? []).flatMap(occlusionLines), ...shap.flatMap(mmShapLines), ...departureLines(shap.flatMap((r) => r.departures))];
    if (lines.length > 0) console.log(terminalText(lines.join('\n')));
  }
  sayWritten([args.html, args.json], args.json);
}

function alignmentFlag(text: unknown): AlignmentMethod | undefined {
  if (text === undefined) return undefined;
  if (typeof text === 'string' && Object.hasOwn(ALIGNMENT_WORDS, text)) return ALIGNMENT_WORDS[text];
  throw badInput(
    `--alignment must be patch, maskclip, values or clearclip, got "${String(text)}".`,
    'Use --alignment patch (last-layer patch tokens), maskclip (the last layer without its attention mixing, residual and MLP kept), values (its values through the output projection alone) or clearclip (query-query attention over the values, no residual or MLP).',
  );
}

/** `--report-attention`: one of its three words, and only with --html. */
function reportAttentionFlag(text: unknown, html: boolean): ReportAttentionLevel | undefined {
  if (text === undefined) return undefined;
  if (!html) throw badInput('--report-attention says how much attention the HTML report holds, but no --html report is written.', 'Add --html FILE, or leave out --report-attention.');
  if (text === 'none' || text === 'thumbnails' || text === 'full') return text;
  throw badInput(
    `--report-attention must be none, thumbnails or full, got "${String(text)}".`,
    'Use none (no head grid), thumbnails (each head\'s attention from the first token) or full (from every token; large for big models).',
  );
}

async function writeHtml(path: string, result: DetailedAnalysisResult, packageRoot: string): Promise<void> {
  const images = await Promise.all(result.images.map((image) => imagePreviewDataUrl(image.path)));
  await writeFileAtomically(path, buildHtmlReport({ ...pageAnalysis(result), images }, await readReportAssets(packageRoot, 'report')));
}

/**
 * `mmlens probe`: the retrieval and fusion probes over a manifest of image-caption pairs; writes the JSON
 * (`--json`), the self-contained HTML report (`--html`) and, unless JSON goes to standard output, a summary.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { badInput } from '../core/errors';
import { DEFAULT_PAIR_LIMIT, MAX_PAIR_LIMIT } from '../inference/datasets/manifest';
import type { ProbeRequest } from '../inference/tasks/probe';
import type { InferenceService } from '../inference/service';
import { METHODS_DOC } from '../shared/probeReadings';
import type { ProbeMetric } from '../shared/probeResult';
import type { CliCommand, FlagValues } from './command';
import { attributionSettings, departureLines, SHAP_FLAGS, SHAP_USAGE } from './attributionFlags';
import { buildHtmlReport } from './htmlReport';
import { refuseOverwritingInputs, sayWritten, terminalProgress, writeFileAtomically, writeJson } from './output';
import { probeSummary } from './probeSummary';
import { readReportAssets } from './reportAssets';
import { terminalText } from './terminalText';

const METRICS: readonly ProbeMetric[] = ['recall@1', 'accuracy', 'auc'];

/** The probe command. */
export const probeCommand: CliCommand = {
  name: 'probe',
  usage: 'probe --manifest FILE [--model DIR] [--limit N] [--seed S] [--metric recall@1|accuracy|auc]\n' +
    '                 [--image-field NAME] [--caption-field NAME] [--image-root DIR] [--allow-outside-paths] [--all-captions]\n' +
    `                 [--mm-shap N] ${SHAP_USAGE}\n` +
    '                 [--ep auto|cpu|webgpu|cuda] [--json FILE|-] [--html FILE]',
  flags: {
    manifest: { type: 'string' },
    limit: { type: 'string' },
    seed: { type: 'string' },
    metric: { type: 'string' },
    'image-field': { type: 'string' },
    'caption-field': { type: 'string' },
    'image-root': { type: 'string' },
    'allow-outside-paths': { type: 'boolean' },
    'all-captions': { type: 'boolean' },
    html: { type: 'string' },
    'mm-shap': { type: 'string' },
    ...SHAP_FLAGS,
  },
  run(values, { service, packageRoot, signal }) {
    const request = probeRequest(values);
    const out = { json: values.json as string | undefined, html: values.html as string | undefined };
    refuseOverwritingInputs([out.json, out.html], [request.manifest.path]);
    return runProbeCommand(service, request, out, packageRoot, signal);
  },
};

/** A whole-number flag within [min, max], or `fallback` when absent. */
function integerFlag(values: FlagValues, flag: string, fallback: number, min: number, max: number): number {
  const text = values[flag];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (typeof text !== 'string' || !/^-?\d+$/.test(text.trim()) || value < min || value > max) {
    throw badInput(`--${flag} must be a whole number from ${min} to ${max}, got "${String(text)}".`, `Usage: mmlens ${probeCommand.usage}`);
  }
  return value;
}

/** The service request from the parsed flags. */
export function probeRequest(values: FlagValues): ProbeRequest {
  const manifest = values.manifest;
  if (typeof manifest !== 'string' || manifest === '') throw badInput('mmlens probe needs --manifest FILE.', `Usage: mmlens ${probeCommand.usage}`);
  const metric = values.metric as string | undefined;
  const seed = integerFlag(values, 'seed', 0, 0, 2 ** 32 - 1);
  if (metric !== undefined && !METRICS.includes(metric as ProbeMetric)) throw badInput(`--metric must be one of ${METRICS.join(', ')}, got "${metric}".`, 'recall@1 needs no labels; accuracy and auc need a labelled manifest.');
  return {
    modelDir: values.model as string | undefined,
    manifest: {
      path: manifest,
      fields: { ...(typeof values['image-field'] === 'string' && { image: values['image-field'] }), ...(typeof values['caption-field'] === 'string' && { caption: values['caption-field'] }) },
      imageRoot: values['image-root'] as string | undefined,
      allowOutsidePaths: values['allow-outside-paths'] === true,
      limit: integerFlag(values, 'limit', DEFAULT_PAIR_LIMIT, 2, MAX_PAIR_LIMIT),
      allCaptions: values['all-captions'] === true,
    },
    seed,
    metric: metric as ProbeMetric | undefined,
    ...mmShapRequest(values, seed),
  };
}

/** --mm-shap N (MM-SHAP on the first N pairs) with its settings; the seed is --shap-seed, else --seed. */
function mmShapRequest(values: FlagValues, seed: number): Pick<ProbeRequest, 'mmShap'> {
  const settings = attributionSettings(values, probeCommand);
  if (values['mm-shap'] === undefined) {
    if (Object.keys(settings).length > 0) throw badInput('The MM-SHAP settings (--text-mask, --shap-grid, --shap-fill, --shap-evals, --shap-seed) are given without --mm-shap N.', 'Add --mm-shap N (MM-SHAP on the first N pairs), or leave the settings out.');
    return {};
  }
  return { mmShap: { seed, ...settings, pairs: integerFlag(values, 'mm-shap', 0, 1, MAX_PAIR_LIMIT) } };
}

/** Runs the probe and writes what was asked for; `packageRoot` locates the built webview assets. */
export async function runProbeCommand(service: InferenceService, request: ProbeRequest, out: { json?: string; html?: string }, packageRoot: string, signal?: AbortSignal): Promise<void> {
  const progress = terminalProgress();
  const result = await service.probe(request, { signal, onProgress: progress.onProgress });
  progress.clear();
  // The report's readings link to the methods page of this installation.
  if (out.html) await writeFileAtomically(out.html, buildHtmlReport({ result, methodsDoc: pathToFileURL(join(packageRoot, METHODS_DOC)).href }, await readReportAssets(packageRoot, 'probe')));
  if (out.json) await writeJson(out.json, result);
  if (out.json !== '-') console.log(terminalText([probeSummary(result), ...departureLines(result.mmShap?.departures ?? [])].join('\n')));
  sayWritten([out.html, out.json], out.json);
}

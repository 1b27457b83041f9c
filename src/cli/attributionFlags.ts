/**
 * The text-side attribution flags of `mmlens analyze` (--text-occlusion, --mm-shap) and `mmlens probe` (--mm-shap N):
 * how MM-SHAP hides features (each defaults to the authors' setting, docs/methods.md), the pairs they run on, and
 * the lines the summaries print.
 */
import { badInput } from '../core/errors';
import type { LongRunOptions } from '../core/progress';
import type { InferenceService } from '../inference/service';
import { pairMmShap, tokenOcclusion, type PairAttributionSettings } from '../inference/tasks/pairAttribution';
import type { MmShapReport, TokenOcclusionReport } from '../shared/attributionResult';
import { integerFlag } from './args';
import type { CliCommand, FlagSpec, FlagValues } from './command';

/** The settings flags, to spread into a command's `flags`. */
export const SHAP_FLAGS = {
  'text-mask': { type: 'string' },
  'shap-seed': { type: 'string' },
  'shap-grid': { type: 'string' },
  'shap-fill': { type: 'string' },
  'shap-evals': { type: 'string' },
} as const satisfies FlagSpec;

/** The usage fragment for the settings flags. */
export const SHAP_USAGE = '[--text-mask ID] [--shap-grid N] [--shap-fill mean|gray] [--shap-evals N] [--shap-seed S]';

/** The settings the flags ask for. */
export function attributionSettings(values: FlagValues, command: CliCommand): PairAttributionSettings {
  const fill = values['shap-fill'];
  if (fill !== undefined && fill !== 'mean' && fill !== 'gray') {
    throw badInput(`--shap-fill must be mean or gray, got "${String(fill)}".`, 'Use mean (0 after normalisation, the authors\' choice) or gray (mid-grey, as occlusion hides patches).');
  }
  const maskId = integerFlag(values, 'text-mask', command, 0);
  const grid = integerFlag(values, 'shap-grid', command, 1);
  const evaluations = integerFlag(values, 'shap-evals', command, 3);
  const seed = integerFlag(values, 'shap-seed', command, 0, 2 ** 32 - 1);
  return {
    ...(maskId !== undefined && { maskId }), ...(grid !== undefined && { grid }), ...(fill !== undefined && { imageFill: fill }),
    ...(evaluations !== undefined && { evaluations }), ...(seed !== undefined && { seed }),
  };
}

const fixed = (value: number) => value.toFixed(3);

/** The summary's lines for one pair's text occlusion: the drop per token. */
export function occlusionLines(report: TokenOcclusionReport): string[] {
  return [
    `text occlusion, "${report.text}" with ${report.image} (${report.score} ${fixed(report.baseline)}, tokens hidden as id ${report.maskId}):`,
    `  ${report.tokens.map((t) => `${t.token} ${fixed(t.value)}`).join('  ')}`,
  ];
}

/** The summary's lines for one pair's MM-SHAP: the shares and the tokens' values. */
export function mmShapLines(report: MmShapReport): string[] {
  const { settings } = report;
  return [
    `MM-SHAP, "${report.text}" with ${report.image}: T-SHAP ${fixed(report.tShap)}  V-SHAP ${fixed(report.vShap)} (${report.score}; ${settings.grid}x${settings.grid} patches, ${settings.permutations} permutations, seed ${settings.seed})`,
    `  tokens ${report.tokens.map((t) => `${t.token} ${fixed(t.value)}`).join('  ')}`,
  ];
}

/** One line per distinct departure from MM-SHAP's authors among `departures`, to print beside the figures. */
export function departureLines(departures: string[]): string[] {
  return [...new Set(departures)].map((d) => `MM-SHAP departs from the authors: ${d}`);
}

/** What `mmlens analyze --text-occlusion / --mm-shap` adds to the analysis JSON: one report per image x text pair. */
export interface PairAttributions {
  textOcclusion?: TokenOcclusionReport[];
  mmShap?: MmShapReport[];
}

/** Which attributions analyze runs, with the settings. */
export interface AttributionRequest {
  textOcclusion: boolean;
  mmShap: boolean;
  settings: PairAttributionSettings;
}

/** analyze's attribution flags: --text-occlusion, --mm-shap, --shap-seed and the settings, refused without a method to use them. */
export function analyzeAttribution(values: FlagValues, command: CliCommand): AttributionRequest | undefined {
  const request = { textOcclusion: values['text-occlusion'] === true, mmShap: values['mm-shap'] === true, settings: attributionSettings(values, command) };
  const given = Object.keys(request.settings);
  if (!request.mmShap && given.some((key) => key !== 'maskId' || !request.textOcclusion)) {
    throw badInput('The MM-SHAP settings (--text-mask, --shap-grid, --shap-fill, --shap-evals, --shap-seed) are given, but neither --mm-shap nor --text-occlusion is.', 'Add --mm-shap (or --text-occlusion for --text-mask), or leave the settings out.');
  }
  return request.textOcclusion || request.mmShap ? request : undefined;
}

/** Runs the asked attributions on every image x text pair (image-major), each pair's image preprocessed as the model takes it. */
export async function runAttributions(service: InferenceService, modelDir: string | undefined, images: string[], texts: string[], request: AttributionRequest, options: LongRunOptions = {}): Promise<PairAttributions> {
  const model = await service.model(modelDir);
  const score = model.capabilities.imageTextMatching ? 'itm' : 'similarity';
  const out: PairAttributions = { ...(request.textOcclusion && { textOcclusion: [] }), ...(request.mmShap && { mmShap: [] }) };
  for (const imagePath of images) {
    for (const [index, text] of texts.entries()) {
      const { source } = await service.perturbation({ modelDir, image: imagePath, texts, text: index, score });
      const pair = { model, image: source, imagePath, text };
      out.textOcclusion?.push(await tokenOcclusion(pair, request.settings, options));
      out.mmShap?.push(await pairMmShap(pair, request.settings, options));
    }
  }
  return out;
}

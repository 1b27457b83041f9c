/**
 * `mmlens generate`: a generative VLM writes an answer about the images, streamed to the terminal as it comes,
 * with each token's log-probability, attention share on the image per decoder layer and map over the image tokens
 * in the JSON (`--json`, docs/cli.md); `--attention` adds the raw decoder attention, `--occlusion` / `--rise` a
 * perturbation map per token; `--html` writes a self-contained page where every token opens its map.
 */
import type { GeneratedToken, GenerationResult } from '../shared/generationResult';
import type { GenerationRequest } from '../inference/service';
import { integerFlag, numberFlag, stringList } from './args';
import type { CliCommand, FlagValues } from './command';
import { buildHtmlReport } from './htmlReport';
import { imagePreviewDataUrl } from '../inference/images/imagePreview';
import { refuseOverwritingInputs, sayWritten, terminalProgress, writeFileAtomically, writeJson } from './output';
import { readReportAssets } from './reportAssets';
import { badInput } from '../core/errors';
import { terminalText } from './terminalText';

/** The generate command. */
export const generateCommand: CliCommand = {
  name: 'generate',
  usage: 'generate [--model DIR] --image PATH [--image PATH ...] --prompt TEXT [--max-new-tokens N]\n' +
    '                 [--sample --seed S --temperature T --top-p P] [--heads mean|max] [--layers A-B] [--attention]\n' +
    '                 [--occlusion | --rise [--rise-masks N]]\n' +
    '                 [--ep auto|cpu|webgpu|cuda] [--json FILE|-] [--html FILE]',
  flags: {
    image: { type: 'string', multiple: true },
    prompt: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    sample: { type: 'boolean' },
    seed: { type: 'string' },
    temperature: { type: 'string' },
    'top-p': { type: 'string' },
    heads: { type: 'string' },
    layers: { type: 'string' },
    attention: { type: 'boolean' },
    occlusion: { type: 'boolean' },
    rise: { type: 'boolean' },
    'rise-masks': { type: 'string' },
    html: { type: 'string' },
  },
  async run(values, { service, signal, packageRoot }) {
    const request = generationRequest(values);
    const json = values.json as string | undefined;
    const html = values.html as string | undefined;
    refuseOverwritingInputs([json, html], request.images);
    const toTerminal = json !== '-';
    const progress = terminalProgress();
    const onToken = toTerminal ? (token: GeneratedToken) => process.stdout.write(terminalText(token.text)) : undefined;
    const result = await service.generate(request, { signal, onToken, onProgress: progress.onProgress });
    progress.clear();
    if (toTerminal) console.log(`\n${terminalText(generationSummary(result))}`);
    if (html) {
      const images = await Promise.all(result.images.map((image) => imagePreviewDataUrl(image.path)));
      // The raw attention stays in the JSON: the page draws the per-token maps, and the tensors would only weigh it down.
      await writeFileAtomically(html, buildHtmlReport({ result: { ...result, attention: undefined }, images }, await readReportAssets(packageRoot, 'generation')));
    }
    if (json) await writeJson(json, result);
    sayWritten([html, json], json);
  },
};

/** The request the flags describe, each flag checked. */
function generationRequest(values: FlagValues): GenerationRequest {
  const prompt = values.prompt;
  if (typeof prompt !== 'string') throw badInput('mmlens generate needs --prompt.', `Usage: mmlens ${generateCommand.usage}`);
  const sampled = ['seed', 'temperature', 'top-p'].filter((flag) => values[flag] !== undefined);
  if (!values.sample && sampled.length > 0) throw badInput(`--${sampled[0]} applies to sampling only.`, 'Add --sample, or leave it out for greedy decoding.');
  if (values.occlusion && values.rise) throw badInput('--occlusion and --rise each make a map per token; give one of them.');
  if (values['rise-masks'] !== undefined && !values.rise) throw badInput('--rise-masks applies to --rise only.');
  const heads = values.heads ?? 'mean';
  if (heads !== 'mean' && heads !== 'max') throw badInput(`--heads must be mean or max, got "${String(heads)}".`);
  return {
    modelDir: values.model as string | undefined,
    images: stringList(values, 'image', generateCommand),
    prompt,
    maxNewTokens: integerFlag(values, 'max-new-tokens', generateCommand, 1, 4096),
    sampling: values.sample ? {
      seed: integerFlag(values, 'seed', generateCommand, 0, 2 ** 32 - 1) ?? 0,
      temperature: numberFlag(values, 'temperature', generateCommand, 0) ?? 1,
      topP: numberFlag(values, 'top-p', generateCommand, 0, 1) ?? 1,
    } : undefined,
    includeAttention: values.attention === true,
    fusion: { heads, layers: layerRange(values.layers) },
    perturbation: values.occlusion ? { method: 'occlusion' } : values.rise ? { method: 'rise', masks: integerFlag(values, 'rise-masks', generateCommand, 1, 100_000) } : undefined,
  };
}

/** `--layers A-B` (or one layer A) as [A, B]. */
function layerRange(text: FlagValues[string]): [number, number] | undefined {
  if (text === undefined) return undefined;
  const match = typeof text === 'string' ? /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text) : null;
  if (!match) throw badInput(`--layers must be a layer or a range such as 0-3, got "${String(text)}".`);
  return [Number(match[1]), Number(match[2] ?? match[1])];
}

/** The plain-text summary after the streamed answer: how it was made, then each token's figures. */
export function generationSummary(result: GenerationResult): string {
  const { decoding } = result;
  const how = decoding.mode === 'greedy' ? 'greedy' : `sampled (seed ${decoding.seed}, temperature ${decoding.temperature}, top-p ${decoding.topP})`;
  const mean = (values: number[]) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);
  const lines = [
    `model ${result.model.name} (${result.model.family}) on ${result.model.executionProvider}: ${how}, ${result.generated.length} tokens, stopped at ${result.stopReason === 'endToken' ? 'the end token' : 'the token limit'}`,
    `prompt: ${result.prompt.ids.length} tokens, image tokens ${result.prompt.imageTokens[0]}-${result.prompt.imageTokens[1] - 1}`,
    `${'token'.padEnd(16)} ${'logprob'.padStart(8)} ${'image share (layer mean)'.padStart(25)}`,
  ];
  for (const token of result.generated) {
    const share = mean(token.imageShare);
    lines.push(`${JSON.stringify(token.text).padEnd(16)} ${token.logprob.toFixed(3).padStart(8)} ${(Number.isNaN(share) ? 'n/a' : share.toFixed(3)).padStart(25)}`);
  }
  if (result.perturbation) lines.push(`${result.perturbation.method} maps for every token: ${result.perturbation.forwardPasses} forward passes in ${((result.timings.perturbationMs ?? 0) / 1000).toFixed(1)} s`);
  if (!result.attentionObserved.available) lines.push(`note: attention is not observable: ${result.attentionObserved.reason}`);
  const timings = result.timings;
  lines.push(`time: vision ${timings.visionMs.toFixed(0)} ms, prefill ${timings.prefillMs.toFixed(0)} ms, ${timings.decodeMs.length} steps ${mean(timings.decodeMs).toFixed(1)} ms each`);
  for (const notice of result.model.notices) lines.push(`note: ${notice}`);
  return lines.join('\n');
}

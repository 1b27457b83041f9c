/**
 * `mmlens zeroshot`: zero-shot classification of images over a label list, with optional prompt templates
 * (several are ensembled); writes the JSON (`--json`) and, unless JSON goes to standard output, a table of
 * each image's top labels.
 */
import { DEFAULT_TOP_K, type ZeroShotRequest, type ZeroShotResult } from '../inference/tasks/zeroShot';
import { integerFlag, stringList } from './args';
import type { CliCommand } from './command';
import { textFileInputs, textFlags, textList } from './textFiles';
import { refuseOverwritingInputs, sayWritten, terminalProgress, writeJson } from './output';
import { terminalText } from './terminalText';

/** The zeroshot command. */
export const zeroShotCommand: CliCommand = {
  name: 'zeroshot',
  usage: 'zeroshot [--model DIR] --image PATH [--image PATH ...] --label L [--label L ...] [--label-file FILE|-]\n' +
    '                 [--template T ...] [--top-k K] [--ep auto|cpu|webgpu|cuda] [--json FILE|-]',
  flags: {
    image: { type: 'string', multiple: true },
    ...textFlags('label'),
    template: { type: 'string', multiple: true },
    'top-k': { type: 'string' },
  },
  async run(values, { service, signal }) {
    const request: ZeroShotRequest = {
      modelDir: values.model as string | undefined,
      images: stringList(values, 'image', zeroShotCommand),
      labels: textList(values, 'label', zeroShotCommand),
      templates: values.template as string[] | undefined,
      topK: integerFlag(values, 'top-k', zeroShotCommand, 1) ?? DEFAULT_TOP_K,
    };
    refuseOverwritingInputs([values.json as string | undefined], [...request.images, ...textFileInputs(values, 'label')]);
    const progress = terminalProgress();
    const result = await service.zeroShot(request, { signal, onProgress: progress.onProgress });
    progress.clear();
    const json = values.json as string | undefined;
    if (json) await writeJson(json, result);
    if (json !== '-') console.log(terminalText(zeroShotTable(result)));
    sayWritten([json], json);
  },
};

/** The plain-text table: how the scores were made, then each image with its top labels. */
export function zeroShotTable(result: ZeroShotResult): string {
  const how = {
    softmax: `softmax over ${result.labels.length} labels, logit scale ${result.logitScale}`,
    sigmoid: `sigmoid per label, logit scale ${result.logitScale}, bias ${result.logitBias}`,
    itm: 'image-text matching probability per label',
  }[result.scoring];
  const lines = [
    `model ${result.model.name} (${result.model.architecture}) on ${result.model.executionProvider}: ${how}`,
    `templates: ${result.templates.map((t) => JSON.stringify(t)).join(', ')}`,
  ];
  for (const image of result.images) {
    lines.push(image.path);
    for (const hit of image.top) lines.push(`  ${hit.probability.toFixed(4).padStart(7)}  ${hit.label}`);
  }
  for (const notice of result.model.notices) lines.push(`note: ${notice}`);
  return lines.join('\n');
}

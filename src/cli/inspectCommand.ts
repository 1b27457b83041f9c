/** `mmlens inspect`: what a model folder holds and which attention tensors can be observed in it. */
import type { CliCommand } from './command';
import { writeJson } from './output';

/** The inspect command. */
export const inspectCommand: CliCommand = {
  name: 'inspect',
  usage: 'inspect [--model DIR] [--ep auto|cpu|webgpu|cuda] [--json FILE|-]',
  flags: {},
  async run(values, { service }) {
    await writeJson((values.json as string | undefined) ?? '-', await service.inspect(values.model as string | undefined));
  },
};

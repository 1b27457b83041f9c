/**
 * Writes a synthetic single-stream model folder from the command line:
 *   npx tsx tools/models/makeSyntheticFusion.ts <outDir> [--seed N] [--image-cls] [--single-logit] [--layout 4d|3d]
 */
import { parseArgs } from 'node:util';
import { writeSyntheticFusion, type SyntheticFusionOptions } from './syntheticFusion';

const usage = 'usage: makeSyntheticFusion <outDir> [--seed N] [--image-cls] [--single-logit] [--layout 4d|3d]';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      'image-cls': { type: 'boolean' },
      'single-logit': { type: 'boolean' },
      layout: { type: 'string' },
    },
  });
  const [outDir] = positionals;
  if (!outDir || positionals.length > 1) throw new Error(usage);
  if (values.layout && values.layout !== '4d' && values.layout !== '3d') throw new Error(usage);
  const options: Partial<SyntheticFusionOptions> = {
    ...(values.seed !== undefined && { seed: Number(values.seed) }),
    ...(values['image-cls'] && { imageCls: true }),
    ...(values['single-logit'] && { itmLogits: 1 as const }),
    ...(values.layout && { attentionLayout: values.layout as '4d' | '3d' }),
  };
  const info = writeSyntheticFusion(outDir, options);
  console.log(`Wrote a synthetic single-stream model to ${info.dir} (${info.tokens} joint tokens, ${info.imageTokens} of them image tokens).`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

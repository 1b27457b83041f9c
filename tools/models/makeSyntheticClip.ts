/**
 * Writes a synthetic CLIP model folder from the command line:
 *   npx tsx tools/models/makeSyntheticClip.ts <tiny|vit-b-32|vit-b-16> <outDir>
 *     [--seed N] [--layout 4d|3d] [--fused] [--activation quickGelu|gelu] [--tokenizer <folder to copy>]
 */
import { parseArgs } from 'node:util';
import { syntheticClipPresets, writeSyntheticClip, type SyntheticClipOptions, type SyntheticClipPreset } from './syntheticClip';

const usage = 'usage: makeSyntheticClip <tiny|vit-b-32|vit-b-16> <outDir> [--seed N] [--layout 4d|3d] [--fused] '
  + '[--activation quickGelu|gelu] [--tokenizer DIR]';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      layout: { type: 'string' },
      fused: { type: 'boolean' },
      activation: { type: 'string' },
      tokenizer: { type: 'string' },
    },
  });
  const [preset, outDir] = positionals;
  if (!outDir || !(preset in syntheticClipPresets)) throw new Error(usage);
  if (values.layout && values.layout !== '4d' && values.layout !== '3d') throw new Error(usage);
  if (values.activation && values.activation !== 'quickGelu' && values.activation !== 'gelu') throw new Error(usage);
  const options: Partial<SyntheticClipOptions> = {
    ...syntheticClipPresets[preset as SyntheticClipPreset],
    ...(values.seed !== undefined && { seed: Number(values.seed) }),
    ...(values.layout && { attentionLayout: values.layout as '4d' | '3d' }),
    ...(values.fused && { fusedAttention: true }),
    ...(values.activation && { activation: values.activation as 'quickGelu' | 'gelu' }),
    ...(values.tokenizer && { tokenizer: { copyFrom: values.tokenizer } }),
  };
  const started = Date.now();
  const info = writeSyntheticClip(outDir, options);
  console.log(`Wrote ${preset} synthetic CLIP to ${info.dir} in ${((Date.now() - started) / 1000).toFixed(1)} s `
    + `(${info.visionTokens} vision tokens, vocab ${info.options.vocabSize}).`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

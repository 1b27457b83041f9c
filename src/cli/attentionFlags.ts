/**
 * The attention flags of `mmlens analyze`: optional head statistics and text attention in the JSON, the
 * rollout variant (head fusion, start layer, residual identity) the maps are computed with, and attention flow
 * on the same graph.
 */
import { badInput } from '../core/errors';
import type { AttentionDetailOptions } from '../inference/tasks/attentionDetails';
import type { RolloutSettings } from '../shared/attentionDetails';
import { integerFlag } from './args';
import type { CliCommand, FlagSpec, FlagValues } from './command';

const FUSIONS: readonly RolloutSettings['fusion'][] = ['mean', 'max', 'min'];

/** The flags, to spread into a command's `flags`. */
export const ATTENTION_FLAGS = {
  'head-stats': { type: 'boolean' },
  'text-attention': { type: 'boolean' },
  'rollout-fusion': { type: 'string' },
  'rollout-start': { type: 'string' },
  'no-residual': { type: 'boolean' },
  flow: { type: 'boolean' },
} as const satisfies FlagSpec;

/** The usage fragment for the flags. */
export const ATTENTION_USAGE = '[--head-stats] [--text-attention] [--rollout-fusion mean|max|min] [--rollout-start N] [--no-residual] [--flow]';

/** The service options the parsed flags ask for; the start layer is checked against the model later. */
export function attentionDetailOptions(values: FlagValues, command: CliCommand): AttentionDetailOptions {
  const fusion = values['rollout-fusion'];
  if (fusion !== undefined && !FUSIONS.includes(fusion as RolloutSettings['fusion'])) {
    throw badInput(`--rollout-fusion must be one of ${FUSIONS.join(', ')}, got "${String(fusion)}".`, `Usage: mmlens ${command.usage}`);
  }
  const startLayer = integerFlag(values, 'rollout-start', command, 0);
  return {
    headStats: values['head-stats'] === true,
    textAttention: values['text-attention'] === true,
    ...(values.flow === true && { flow: true }),
    rollout: {
      ...(fusion !== undefined && { fusion: fusion as RolloutSettings['fusion'] }),
      ...(startLayer !== undefined && { startLayer }),
      ...(values['no-residual'] === true && { residual: false }),
    },
  };
}

/**
 * The attention flags of `mmlens analyze`: optional head statistics and text attention in the JSON, the
 * rollout variant (head fusion, start layer, residual identity, discard ratio) the maps are computed with, and attention flow
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
  'rollout-discard': { type: 'string' },
  flow: { type: 'boolean' },
} as const satisfies FlagSpec;

/** The usage fragment for the flags. */
export const ATTENTION_USAGE = '[--head-stats] [--text-attention] [--rollout-fusion mean|max|min] [--rollout-start N] [--no-residual]\n' +
  '                 [--rollout-discard R] [--flow]';

/** The service options the parsed flags ask for; the start layer is checked against the model later. */
export function attentionDetailOptions(values: FlagValues, command: CliCommand): AttentionDetailOptions {
  const fusion = values['rollout-fusion'];
  if (fusion !== undefined && !FUSIONS.includes(fusion as RolloutSettings['fusion'])) {
    throw badInput(`--rollout-fusion must be one of ${FUSIONS.join(', ')}, got "${String(fusion)}".`, `Usage: mmlens ${command.usage}`);
  }
  const startLayer = integerFlag(values, 'rollout-start', command, 0);
  const discard = values['rollout-discard'];
  const discardRatio = discard === undefined ? undefined : Number(discard);
  if (discardRatio !== undefined && !(typeof discard === 'string' && discard.trim() !== '' && discardRatio >= 0 && discardRatio < 1)) {
    throw badInput(`--rollout-discard must be a fraction from 0 up to (not including) 1, got "${String(discard)}".`, 'Use for example --rollout-discard 0.9, vit-explain\'s default.');
  }
  return {
    headStats: values['head-stats'] === true,
    textAttention: values['text-attention'] === true,
    ...(values.flow === true && { flow: true }),
    rollout: {
      ...(fusion !== undefined && { fusion: fusion as RolloutSettings['fusion'] }),
      ...(startLayer !== undefined && { startLayer }),
      ...(values['no-residual'] === true && { residual: false }),
      ...(discardRatio !== undefined && { discardRatio }),
    },
  };
}

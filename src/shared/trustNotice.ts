/**
 * Which restricted settings an untrusted workspace ignores, and the one-time message that says so. The levels
 * come from VS Code's `WorkspaceConfiguration.inspect`; the decision and wording are pure.
 */
import { UNTRUSTED_NOTE } from './lensStatus';

/** The configured values of one setting at each level, as `inspect` returns them. */
export interface SettingLevels {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** A restricted setting: where it is configured, and the value an untrusted workspace uses instead. */
export interface RestrictedSetting {
  levels: SettingLevels | undefined;
  effective: unknown;
}

/**
 * For each setting configured to something other than what an untrusted workspace uses, where it was set
 * ('user', 'workspace', 'folder'); a value equal to the one in effect is not really ignored and is left out.
 */
export function ignoredSettings(settings: Record<string, RestrictedSetting>): { key: string; levels: string[] }[] {
  return Object.entries(settings).flatMap(([key, { levels: v, effective }]) => {
    const differs = (value: unknown) => value !== undefined && value !== effective;
    const levels = [
      ...(differs(v?.globalValue) ? ['user'] : []),
      ...(differs(v?.workspaceValue) ? ['workspace'] : []),
      ...(differs(v?.workspaceFolderValue) ? ['folder'] : []),
    ];
    return levels.length > 0 ? [{ key, levels }] : [];
  });
}

/** The message for an untrusted workspace where `ignored` settings have values, or undefined when none do. */
export function trustNoticeMessage(ignored: { key: string; levels: string[] }[]): string | undefined {
  if (ignored.length === 0) return undefined;
  const list = ignored.map(({ key, levels }) => `${key} (${levels.join(', ')})`).join(', ');
  return `${UNTRUSTED_NOTE} Ignored here: ${list}. Trust the workspace to use them.`;
}

/**
 * Runtime checks of every message a webview sends, written by hand against protocol.ts. A webview is a web
 * page: a bug or injected script there could post anything, so the host acts only on messages that pass,
 * and drops the rest with a log line instead of throwing inside its message handler.
 */
import { MAP_METHODS } from './mapEvaluation';
import { METHODS_SECTIONS } from './probeReadings';
import { Msg, PERTURBATION_METHODS, type ExportFormat, type FromWebview, type PerturbationMethod } from './protocol';

/** The most texts the explorer takes at once, and the longest text (the model truncates long ones anyway). */
export const MAX_TEXTS = 256;
export const MAX_TEXT_CHARS = 100_000;
/** The most characters the explorer's texts may add up to once every label is put into the template. */
export const MAX_EXPANDED_CHARS = 2_000_000;
/** The longest question the Ask About Image panel sends (a VLM's context holds a few thousand tokens). */
export const MAX_PROMPT_CHARS = 10_000;
/** The most images one drop or message may add. */
export const MAX_URIS = 100;
/** The largest export a webview may hand over: 64 MB of text or data: URL. */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

type Fields = Record<string, unknown>;
type Check = (m: Fields) => string | null;

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31;
const isText = (v: unknown, max = MAX_TEXT_CHARS): v is string => typeof v === 'string' && v.length <= max;
/** Every index is checked: `every` skips the holes of a sparse array, which would let `[, , 'a']` through. */
const isTextList = (v: unknown, count: number, chars = MAX_TEXT_CHARS): v is string[] => Array.isArray(v) && v.length <= count && Array.from(v).every((s) => isText(s, chars));

function requestId(m: Fields): string | null {
  return isIndex(m.requestId) ? null : 'requestId must be a non-negative integer';
}

// eslint-disable-next-line no-control-regex
const UNSAFE_IN_NAME = /[\\/:*?"<>|\u0000-\u001f]/g;

/** A file name without folders or characters that file systems refuse, so it cannot point a save elsewhere. */
function fileNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) return 'fileName must be 1 to 200 characters';
  if (name.search(UNSAFE_IN_NAME) >= 0 || name.startsWith('.')) return 'fileName must be a plain file name';
  return null;
}

/** `name` made acceptable as an export's fileName: unsafe characters as `_`, no leading dot, at most 200 characters. */
export function safeFileName(name: string): string {
  return name.replace(UNSAFE_IN_NAME, '_').replace(/^\.+/, '_').slice(-200) || 'export';
}

const FORMATS: readonly ExportFormat[] = ['png', 'svg', 'json'];

function exportProblem(m: Fields): string | null {
  const format = m.format as ExportFormat;
  if (!FORMATS.includes(format)) return 'format must be png, svg or json';
  if (!isText(m.content, MAX_EXPORT_CHARS)) return 'content must be a string of at most 64 MB';
  if (format === 'png' && !m.content.startsWith('data:image/png;base64,')) return 'a png export must be a data:image/png;base64 URL';
  return fileNameProblem(m.fileName) ?? requestId(m);
}

/**
 * SetTexts: the lists are bounded, and so is what they expand to, since every label goes into every `{label}` of
 * the template (256 labels of 100,000 characters and a template of 142 `{label}`s passed: 3.6 G characters).
 */
function setTextsProblem(m: Fields): string | null {
  const { labels, template } = m;
  if (!isTextList(labels, MAX_TEXTS)) return `labels must be at most ${MAX_TEXTS} strings`;
  if (!isText(template, 1000)) return 'template must be a string of at most 1000 characters';
  const slots = template.split('{label}').length - 1;
  const expanded = labels.reduce((sum, label) => sum + template.length + slots * (label.length - '{label}'.length), 0);
  return expanded <= MAX_EXPANDED_CHARS ? null : `labels put into the template make ${expanded} characters, more than ${MAX_EXPANDED_CHARS}`;
}

const CHECKS: Record<FromWebview['type'], Check> = {
  [Msg.Ready]: requestId,
  [Msg.SetTexts]: setTextsProblem,
  [Msg.AddImages]: (m) => (isTextList(m.uris, MAX_URIS, 4096) ? null : `uris must be at most ${MAX_URIS} strings`),
  [Msg.PickImages]: () => null,
  [Msg.RemoveImage]: (m) => (isIndex(m.index) ? null : 'index must be a non-negative integer'),
  [Msg.LoadManifest]: () => null,
  [Msg.SelectCell]: (m) => (isIndex(m.image) && isIndex(m.text) ? requestId(m) : 'image and text must be non-negative integers'),
  [Msg.AskCell]: (m) => (isIndex(m.image) && isIndex(m.text) ? null : 'image and text must be non-negative integers'),
  [Msg.RunProbe]: () => null,
  [Msg.Cancel]: () => null,
  [Msg.AnalyzePrompt]: (m) => (isText(m.prompt) ? null : `prompt must be a string of at most ${MAX_TEXT_CHARS} characters`),
  [Msg.Export]: exportProblem,
  [Msg.ComputeOcclusion]: (m) => {
    if (!(isIndex(m.image) && isIndex(m.text))) return 'image and text must be non-negative integers';
    return m.method === undefined || PERTURBATION_METHODS.includes(m.method as PerturbationMethod) ? requestId(m) : 'method must be occlusion or rise';
  },
  [Msg.AttentionRows]: (m) => (isIndex(m.item) && isIndex(m.query) ? requestId(m) : 'item and query must be non-negative integers'),
  [Msg.AskImage]: (m) => {
    if (!(isText(m.prompt, MAX_PROMPT_CHARS) && m.prompt.trim() !== '')) return `prompt must be a non-empty string of at most ${MAX_PROMPT_CHARS} characters`;
    return m.occlusion === undefined || typeof m.occlusion === 'boolean' ? null : 'occlusion must be true or false';
  },
  [Msg.StopAnswer]: () => null,
  [Msg.OpenEvaluationCase]: (m) => {
    if (!isIndex(m.index)) return 'index must be a non-negative integer';
    return (MAP_METHODS as readonly unknown[]).includes(m.method) ? null : `method must be one of ${MAP_METHODS.join(', ')}`;
  },
  [Msg.OpenMethodsDoc]: (m) => ((METHODS_SECTIONS as readonly unknown[]).includes(m.section) ? null : 'section must be a heading of docs/methods.md that the probe page links to'),
};

/** Why `raw` is not a valid FromWebview message, or null when it is. */
export function messageProblem(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const m = raw as Fields;
  // String() of an object such as {toString: "x"} throws: a type that is not a string is described by its typeof.
  if (typeof m.type !== 'string') return `type must be a string, got ${m.type === null ? 'null' : typeof m.type}`;
  if (!Object.hasOwn(CHECKS, m.type)) return `unknown type ${JSON.stringify(m.type).slice(0, 60)}`;
  return CHECKS[m.type as FromWebview['type']](m);
}

/**
 * `raw` as a FromWebview message when it is one, else undefined after telling `log` why it was dropped.
 * `allowed` narrows the types a given webview may send (the editor sends no explorer messages).
 */
export function parseFromWebview(raw: unknown, log: (line: string) => void, allowed?: readonly FromWebview['type'][]): FromWebview | undefined {
  const problem = messageProblem(raw) ?? (allowed && !allowed.includes((raw as FromWebview).type) ? `type ${(raw as FromWebview).type} is not used by this view` : null);
  if (problem === null) return raw as FromWebview;
  log(`Dropped a webview message: ${problem}.`);
  return undefined;
}

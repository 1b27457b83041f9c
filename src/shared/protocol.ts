/**
 * The one message protocol between the extension host and its webviews (the alignment explorer, the image
 * editor and the analysis panel). No `vscode` and no DOM here: both sides import it. Maps travel as Float32Array, which VS Code's
 * postMessage transfers without turning them into JSON arrays. Every message a webview sends is checked by
 * protocolValidators.ts before the host acts on it, because a webview runs content the host does not control.
 */
import type { Architecture } from './analysisResult';
import type { GeneratedToken, GenerationReportData, ImageTokens } from './generationResult';
import type { MapMethod } from './mapEvaluation';
import type { ProbeResult } from './probeResult';
import type { MethodsSection } from './probeReadings';

/** Every message type, both directions. */
export const Msg = {
  // Webview to host.
  Ready: 'ready',
  SetTexts: 'setTexts',
  AddImages: 'addImages',
  PickImages: 'pickImages',
  RemoveImage: 'removeImage',
  LoadManifest: 'loadManifest',
  SelectCell: 'selectCell',
  RunProbe: 'runProbe',
  Cancel: 'cancel',
  AnalyzePrompt: 'analyzePrompt',
  Export: 'export',
  ComputeOcclusion: 'computeOcclusion',
  AttentionRows: 'attentionRows',
  AskImage: 'askImage',
  StopAnswer: 'stopAnswer',
  OpenMethodsDoc: 'openMethodsDoc',
  AskCell: 'askCell',
  OpenEvaluationCase: 'openEvaluationCase',
  // Host to webview.
  Response: 'response',
  Data: 'data',
  Probe: 'probe',
  Busy: 'busy',
  Error: 'error',
  Answer: 'answer',
  CellAnswer: 'cellAnswer',
} as const;

/** One image of the explorer: its path, its file name, a small preview as a data: URL. */
export interface ImageEntry {
  path: string;
  name: string;
  preview: string;
}

/** The model that produced the numbers shown. */
export interface ModelInfo {
  name: string;
  architecture: Architecture;
  executionProvider: string;
  notices: string[];
}

/** A rows x cols matrix, row-major. */
export interface MatrixData {
  rows: number;
  cols: number;
  values: Float32Array;
}

/** The explorer's scores: images (rows) x texts (columns). */
export interface ScoreMatrix extends MatrixData {
  kind: 'cosine' | 'itmLogOdds';
}

/** The maps of one image-text pair on the patch grid; null when the model hides its attention. */
export interface PairMaps {
  image: number;
  text: number;
  grid: { rows: number; cols: number };
  rollout: Float32Array | null;
  alignment: Float32Array | null;
  /** The part of the image the maps cover, [x0, y0, x1, y1] as fractions of its sides (gridWindow); absent: its centre square. */
  window?: [number, number, number, number];
}

/** What the host holds for the explorer (the view's own choices, such as sorting, live in the webview). */
export interface ExplorerData {
  images: ImageEntry[];
  /** Labels as typed; `texts` are these through `template`. */
  labels: string[];
  template: string;
  texts: string[];
  matrix: ScoreMatrix | null;
  model: ModelInfo | null;
  probe: ProbeResult | null;
  /**
   * With a generative model, which scores no pair: its answer to each text as a prompt (the labels as typed, no
   * template), answers[image][text], null until written. Null with a scoring model, which fills `matrix` instead.
   */
  answers: (string | null)[][] | null;
}

/** What the host holds for one image editor. */
export interface EditorData {
  image: ImageEntry;
  prompt: string;
  maps: PairMaps | null;
  model: ModelInfo | null;
  /** The prompt's score with the image once analysed: a two-tower model's cosine, a matcher's match probability. */
  score?: { value: number; kind: 'cosine' | 'match probability' };
  /** The model's name when it is generative: it scores no prompt, so the editor points to Ask About Image... instead. */
  generative?: string;
}

/** The export formats: PNG (a data: URL), SVG and JSON (text). */
export type ExportFormat = 'png' | 'svg' | 'json';

/** Messages a webview sends. Those with `requestId` get one Response with the same id. */
export type FromWebview =
  | { type: typeof Msg.Ready; requestId: number }
  | { type: typeof Msg.SetTexts; labels: string[]; template: string }
  | { type: typeof Msg.AddImages; uris: string[] }
  | { type: typeof Msg.PickImages }
  | { type: typeof Msg.RemoveImage; index: number }
  | { type: typeof Msg.LoadManifest }
  | { type: typeof Msg.SelectCell; requestId: number; image: number; text: number }
  | { type: typeof Msg.RunProbe }
  | { type: typeof Msg.Cancel }
  | { type: typeof Msg.AnalyzePrompt; prompt: string }
  | { type: typeof Msg.Export; requestId: number; format: ExportFormat; fileName: string; content: string }
  | { type: typeof Msg.ComputeOcclusion; requestId: number; image: number; text: number; method?: PerturbationMethod }
  | { type: typeof Msg.AttentionRows; requestId: number; item: number; query: number }
  | { type: typeof Msg.AskImage; prompt: string; occlusion?: boolean }
  | { type: typeof Msg.StopAnswer }
  /** A probe page's link to a section of docs/methods.md (probeReadings.ts's METHODS_SECTIONS). */
  | { type: typeof Msg.OpenMethodsDoc; section: MethodsSection }
  /** The explorer's answer cell: open the Ask About Image panel on that image, asking that prompt. */
  | { type: typeof Msg.AskCell; image: number; text: number }
  /** The map evaluation page's worst case: open the analysis of that case's image and text (an index into the result's cases). */
  | { type: typeof Msg.OpenEvaluationCase; index: number; method: MapMethod };

/** What the Ask About Image panel gets in reply to its Ready: the image, the model and the prompts to offer. */
export interface AskSetup {
  image: ImageEntry;
  model: string;
  /** The suggested prompts, the first one the box's default. */
  prompts: string[];
}

/**
 * One step of an answer in the Ask About Image panel: it started (the prompt), the images' token layout is known, a
 * token was chosen (the token with its map, share and alternatives, in order), the maps are being made (the occlusion's passes done of all), it is complete (the generation report), it
 * was stopped (after how many tokens) or it failed (why).
 */
export type AnswerEvent =
  | { kind: 'started'; prompt: string }
  /** Where the images' tokens are, before the first token, so each token's map can be drawn as it arrives. */
  | { kind: 'images'; images: ImageTokens[] }
  | { kind: 'token'; index: number; token: GeneratedToken }
  | { kind: 'progress'; stage: string; done: number; total: number }
  | { kind: 'done'; report: GenerationReportData }
  | { kind: 'stopped'; tokens: number }
  | { kind: 'failed'; message: string };

/**
 * The body of the response to AttentionRows (an analysis panel whose page holds the first token's rows only):
 * query `query`'s attention in every layer and head, [layer][head][key].
 */
export interface AttentionRowsReply {
  rows: Float32Array;
}

/** How a panel's map is computed on request: one patch hidden at a time, or RISE's random masks. */
export type PerturbationMethod = 'occlusion' | 'rise';

/** The perturbation methods a panel may ask for. */
export const PERTURBATION_METHODS: readonly PerturbationMethod[] = ['occlusion', 'rise'];

/**
 * The body of the response to ComputeOcclusion: the drop of the text's score when each patch is hidden
 * (occlusion), or the score-weighted mean of random masks (RISE).
 */
export interface OcclusionReply extends MatrixData {
  method: PerturbationMethod;
  /** What was explained, e.g. "cosine similarity" or "ITM match probability". */
  score: string;
  forwardPasses: number;
}

/** The reply to a request: its body, or why it failed. */
export type Response = { type: typeof Msg.Response; requestId: number } & ({ ok: true; body: unknown } | { ok: false; error: string });

/** Messages the host sends. */
export type ToWebview =
  | Response
  | { type: typeof Msg.Data; data: ExplorerData | EditorData }
  | { type: typeof Msg.Probe; probe: ProbeResult }
  | { type: typeof Msg.Busy; message: string | null }
  | { type: typeof Msg.Error; message: string }
  /** `run` counts the panel's answers, so a page drops the events of one it replaced. */
  | { type: typeof Msg.Answer; run: number; event: AnswerEvent }
  /** One answer of the explorer's grid as it is written (ExplorerData.answers), without resending the whole set. */
  | { type: typeof Msg.CellAnswer; image: number; text: number; answer: string };

/** A FromWebview message without its requestId, as the caller of `Requests.send` writes it. */
export type RequestMessage = FromWebview extends infer M ? (M extends { requestId: number } ? Omit<M, 'requestId'> : never) : never;

/**
 * Matches responses to requests by id. The webview sends through `send` and awaits the body; the host's
 * Response message, handed to `settle`, resolves or rejects it.
 */
export class Requests {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (body: unknown) => void; reject: (error: Error) => void }>();

  /** @param post delivers a message to the host */
  constructor(private readonly post: (message: FromWebview) => void) {}

  /** Sends `message` with a fresh id and resolves with the response body. */
  send(message: RequestMessage): Promise<unknown> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.post({ ...message, requestId } as FromWebview);
    });
  }

  /** Settles the request `response` answers; false when no such request is waiting. */
  settle(response: Response): boolean {
    const waiting = this.pending.get(response.requestId);
    if (!waiting) return false;
    this.pending.delete(response.requestId);
    if (response.ok) waiting.resolve(response.body);
    else waiting.reject(new Error(response.error));
    return true;
  }
}

/** The response to request `requestId`: `body`, or the error's message. */
export function respond(requestId: number, outcome: { body: unknown } | { error: unknown }): Response {
  if ('body' in outcome) return { type: Msg.Response, requestId, ok: true, body: outcome.body };
  const error = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
  return { type: Msg.Response, requestId, ok: false, error };
}

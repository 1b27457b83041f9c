/**
 * The webview's side of the protocol: VS Code's webview API (or a test's stand-in for it), the request
 * helper, and the saved view state that outlives the page when the view is hidden. VS Code keeps that state
 * as JSON, so the matrix and maps are stored there as plain arrays and become Float32Array again on restore.
 */
import { Msg, Requests, type FromWebview, type ToWebview } from '../../src/shared/protocol';

/** The object VS Code gives a webview once (`acquireVsCodeApi`). */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** A connection to the extension host. */
export interface HostPort {
  post(message: FromWebview): void;
  requests: Requests;
  /** Saved state from before the view was hidden, if any. */
  savedState<T>(): T | undefined;
  saveState(state: unknown): void;
  /** Calls `handler` for each host message except responses, which settle their requests. */
  listen(handler: (message: ToWebview) => void): void;
}

/** Whether this page runs in a VS Code webview (a standalone HTML report has no host to talk to). */
function hostAvailable(): boolean {
  return typeof acquireVsCodeApi === 'function';
}

/**
 * For a page that only makes requests (the analysis and probe panels): the connection, or undefined when the page
 * is a standalone report with no host. Call once per page.
 */
export function connectRequester(): HostPort | undefined {
  if (!hostAvailable()) return undefined;
  const host = connectHost();
  host.listen(() => {});
  return host;
}

/** Connects to the host; call once per page. */
export function connectHost(): HostPort {
  const api = acquireVsCodeApi();
  const post = (message: FromWebview) => api.postMessage(message);
  const requests = new Requests(post);
  return {
    post,
    requests,
    savedState: <T>() => (api.getState() ?? undefined) as T | undefined,
    saveState: (state) => api.setState(JSON.parse(JSON.stringify(state, (_, v) => (v instanceof Float32Array ? Array.from(v) : v)))),
    listen(handler) {
      window.addEventListener('message', (event: MessageEvent) => {
        const message = event.data as ToWebview | null;
        if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
        if (message.type === Msg.Response) requests.settle(message);
        else handler(message);
      });
    },
  };
}

/** A saved array (plain after JSON) or a live Float32Array as a Float32Array; null stays null. */
export function toFloat32(values: ArrayLike<number> | null | undefined): Float32Array | null {
  if (!values) return null;
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

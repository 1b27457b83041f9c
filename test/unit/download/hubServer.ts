// Test helper: a small Hugging Face Hub on 127.0.0.1 serving model folders from disk. The API server lists
// files (/api/models/{id}/tree/{revision}) with sizes and hashes and redirects /resolve/ to a second server on
// another port (another origin, as the Hub's CDN is), which serves bytes with Range support. Knobs break it on purpose.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';

/** A repo the server knows: its folder (revision main) and, optionally, the token it requires. */
export interface FakeRepo {
  dir: string;
  token?: string;
  gated?: boolean;
  /** Folders served for revisions other than main (tags, branches); any other revision is not found. */
  revisions?: Record<string, string>;
}

/** Behaviour that tests change between calls. */
export interface HubKnobs {
  /** Tree entries per page; more pages are linked with a Link header. */
  pageSize: number;
  /** Close the connection after this many bytes of `path`, for the next `times` responses. */
  drop?: { path: string; bytes: number; times: number };
  /** Paths whose listed sha256 is wrong. */
  wrongSha256: Set<string>;
  /** Answer Range requests with the whole file (200), as servers without range support do. */
  ignoreRange: boolean;
  /** Send this many bytes of `path`, then nothing more without closing the connection, for the next `times` responses. */
  stall?: { path: string; bytes: number; times: number };
  /** Link the listing's next page to this origin instead of the Hub's own. */
  nextPageOrigin?: string;
  /** Rewrites each tree entry before it is listed (a mirror that leaves fields out or gets them wrong). */
  editEntry?: (entry: Record<string, unknown>) => Record<string, unknown>;
}

/** One request the servers saw. */
export interface SeenRequest {
  server: 'api' | 'cdn';
  path: string;
  range?: string;
  authorization?: string;
}

/** The running fake Hub. */
export interface FakeHub {
  endpoint: string;
  repos: Map<string, FakeRepo>;
  knobs: HubKnobs;
  requests: SeenRequest[];
  close(): Promise<void>;
}

const CHUNK = 8192;
const isLfs = (path: string) => /\.onnx(_data.*)?$/.test(path);

/** Starts the two servers on random ports. */
export async function startFakeHub(): Promise<FakeHub> {
  const hub: FakeHub = { endpoint: '', repos: new Map(), knobs: { pageSize: 100, wrongSha256: new Set(), ignoreRange: false }, requests: [], close: async () => {} };
  const cdn = await listen((req, res) => serveFile(hub, req, res));
  const api = await listen((req, res) => serveApi(hub, cdn.url, req, res));
  hub.endpoint = api.url;
  hub.close = async () => {
    await Promise.all([api.server, cdn.server].map((s) => new Promise((done) => { s.close(done); s.closeAllConnections(); })));
  };
  return hub;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function record(hub: FakeHub, server: SeenRequest['server'], req: IncomingMessage): string {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  hub.requests.push({ server, path, range: req.headers.range, authorization: req.headers.authorization });
  return path;
}

function fail(res: ServerResponse, status: number, code?: string): void {
  res.writeHead(status, code ? { 'x-error-code': code } : {}).end(JSON.stringify({ error: code ?? 'error' }));
}

/** Access rules of the Hub: unknown and private repos alike answer 401 to strangers, gated ones 401/403 GatedRepo. */
function checkAccess(hub: FakeHub, id: string, revision: string, req: IncomingMessage, res: ServerResponse): string | undefined {
  const repo = hub.repos.get(id);
  const authorized = !repo?.token || req.headers.authorization === `Bearer ${repo.token}`;
  if (!repo || (!authorized && !repo.gated)) return void fail(res, 401, 'RepoNotFound');
  if (!authorized) return void fail(res, req.headers.authorization ? 403 : 401, 'GatedRepo');
  const dir = revisionDir(repo, revision);
  if (!dir) return void fail(res, 404, 'RevisionNotFound');
  return dir;
}

function revisionDir(repo: FakeRepo, revision: string): string | undefined {
  return revision === 'main' ? repo.dir : repo.revisions?.[revision];
}

function serveApi(hub: FakeHub, cdnUrl: string, req: IncomingMessage, res: ServerResponse): void {
  const path = record(hub, 'api', req);
  const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(path);
  const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
  const match = tree ?? resolve;
  if (!match) return fail(res, 404);
  const dir = checkAccess(hub, match[1], match[2], req, res);
  if (!dir) return;
  if (resolve) {
    if (!isFileIn(dir, resolve[3])) return fail(res, 404, 'EntryNotFound');
    // The revision travels in the query, so the CDN paths tests look at stay `/<id>/<file>`.
    const query = match[2] === 'main' ? '' : `?revision=${encodeURIComponent(match[2])}`;
    res.writeHead(302, { location: `${cdnUrl}/${match[1]}/${resolve[3]}${query}` }).end();
    return;
  }
  const entries = treeEntries(hub, dir);
  const cursor = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('cursor') ?? 0);
  const page = entries.slice(cursor, cursor + hub.knobs.pageSize);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cursor + hub.knobs.pageSize < entries.length) {
    headers.link = `<${hub.knobs.nextPageOrigin ?? hub.endpoint}/api/models/${match[1]}/tree/${encodeURIComponent(match[2])}?recursive=true&cursor=${cursor + hub.knobs.pageSize}>; rel="next"`;
  }
  const edit = hub.knobs.editEntry;
  res.writeHead(200, headers).end(JSON.stringify(edit ? page.map((entry) => edit(entry as Record<string, unknown>)) : page));
}

/** The Hub's tree entries: folders, files with their git blob id, and an lfs object holding the sha256 for LFS files. */
function treeEntries(hub: FakeHub, dir: string): object[] {
  return walk(dir).map((abs) => {
    const path = relative(dir, abs).split(sep).join('/');
    if (statSync(abs).isDirectory()) return { type: 'directory', path, size: 0, oid: '0'.repeat(40) };
    const bytes = readFileSync(abs);
    const oid = createHash('sha1').update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes])).digest('hex');
    if (!isLfs(path)) return { type: 'file', path, size: bytes.length, oid };
    const sha256 = hub.knobs.wrongSha256.has(path) ? 'ab'.repeat(32) : createHash('sha256').update(bytes).digest('hex');
    return { type: 'file', path, size: bytes.length, oid, lfs: { oid: sha256, size: bytes.length, pointerSize: 134 } };
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const abs = join(dir, name);
    return statSync(abs).isDirectory() ? [abs, ...walk(abs)] : [abs];
  });
}

function isFileIn(dir: string, path: string): boolean {
  try {
    return statSync(join(dir, path)).isFile();
  } catch {
    return false;
  }
}

/** The CDN: the file's bytes, from the Range start when asked (206), in small chunks so a test can cancel mid-file. */
async function serveFile(hub: FakeHub, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = record(hub, 'cdn', req);
  const [owner, name, ...rest] = path.slice(1).split('/');
  const repo = hub.repos.get(`${owner}/${name}`);
  const dir = repo && revisionDir(repo, new URL(req.url ?? '/', 'http://x').searchParams.get('revision') ?? 'main');
  const file = rest.join('/');
  if (!dir || !isFileIn(dir, file)) return fail(res, 404);
  const bytes = readFileSync(join(dir, file));
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range && !hub.knobs.ignoreRange ? Number(range[1]) : 0;
  if (start >= bytes.length && start > 0) {
    res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
    return;
  }
  const headers: Record<string, string | number> = { 'content-length': bytes.length - start, 'accept-ranges': 'bytes' };
  if (range && !hub.knobs.ignoreRange) headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
  res.writeHead(range && !hub.knobs.ignoreRange ? 206 : 200, headers);
  const drop = hub.knobs.drop?.path === file && hub.knobs.drop.times > 0 ? hub.knobs.drop : undefined;
  if (drop) drop.times--;
  const stall = hub.knobs.stall?.path === file && hub.knobs.stall.times > 0 ? hub.knobs.stall : undefined;
  if (stall) stall.times--;
  const end = drop ? Math.min(bytes.length, start + drop.bytes) : stall ? Math.min(bytes.length, start + stall.bytes) : bytes.length;
  for (let at = start; at < end && !res.destroyed; at += CHUNK) {
    await new Promise<void>((done) => res.write(bytes.subarray(at, Math.min(end, at + CHUNK)), () => done()));
    await new Promise((done) => setTimeout(done, 1));
  }
  if (drop) res.destroy();
  else if (!stall) res.end();
}

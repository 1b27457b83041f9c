/**
 * One code-server session per e2e file: a scratch workspace filled by the test, the packaged .vsix installed,
 * user settings written, code-server started and its workbench opened in Chromium; all of it torn down after.
 * Call inside a `describe`; the returned object's fields are valid inside its tests.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { e2eHost, installVsix, machineSettingsFile, runFolders, startCodeServer, writeUserSettings, type CodeServer, type RunFolders } from './codeServer';
import { launchChromium, openWorkbench } from './workbench';

/** Where the e2e tests save their screenshots (tools/e2e/run.mjs clears the old ones first). */
export const ARTIFACTS = 'test/artifacts';

/** The session of one e2e file. */
export interface WorkbenchSession {
  page: Page;
  folders: RunFolders;
  workspace: string;
}

/** The .vsix `npm run package` built for this version. */
function vsixPath(): string {
  const { name, version } = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
  const vsix = `${name}-${version}.vsix`;
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` (npm run test:e2e does).`);
  return vsix;
}

/**
 * Registers the before/after hooks of a session; `fill` puts the test's files into the workspace folder.
 * `settings` go to the user settings, `machineSettings` (machine-scoped ones such as the model folder) to
 * code-server's Machine settings, where VS Code reads them in a remote window.
 */
export function useWorkbenchSession(fill: (workspace: string) => void, settings: Record<string, unknown> = {}, machineSettings: Record<string, unknown> = {}): WorkbenchSession {
  const root = mkdtempSync(join(tmpdir(), 'mmlens-e2e-'));
  const session = { folders: runFolders(root), workspace: join(root, 'workspace') } as WorkbenchSession;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    const host = e2eHost();
    mkdirSync(session.workspace);
    mkdirSync(ARTIFACTS, { recursive: true });
    fill(session.workspace);
    installVsix(host, session.folders, vsixPath());
    writeUserSettings(session.folders, settings);
    mkdirSync(dirname(machineSettingsFile(session.folders)), { recursive: true });
    writeFileSync(machineSettingsFile(session.folders), JSON.stringify(machineSettings, null, 2));
    server = await startCodeServer(host, session.folders, session.workspace);
    browser = await launchChromium();
    session.page = await openWorkbench(browser, server.url, session.workspace);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });
  return session;
}

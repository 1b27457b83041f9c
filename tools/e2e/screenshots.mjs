// `node tools/e2e/screenshots.mjs`: the README's screenshots of each view, dark and light. Runs the end-to-end
// tests that show the views (tools/e2e/run.mjs) once per theme and copies their screenshots into docs/images as
// VIEW-dark.png and VIEW-light.png. Needs the host from `bash tools/e2e/setup.sh`; takes a few minutes a theme.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern' };
// The end-to-end screenshot (test/artifacts/e2e-NAME.png) of each view, by the README's name for it.
const VIEWS = { 'analysis-panel': 'analysis', 'image-editor': 'editor-first-view', hover: 'hover', 'alignment-explorer': 'explorer', 'ask-panel': 'ask' };
const TESTS = ['analyzeImage', 'hover', 'explorer', 'askAboutImage'];

for (const [suffix, theme] of Object.entries(THEMES)) {
  const run = spawnSync(process.execPath, ['tools/e2e/run.mjs', ...TESTS], { stdio: 'inherit', env: { ...process.env, MMLENS_E2E_THEME: theme } });
  if (run.status !== 0) process.exit(run.status ?? 1);
  for (const [view, shot] of Object.entries(VIEWS)) {
    const from = join('test/artifacts', `e2e-${shot}.png`);
    if (!existsSync(from)) throw new Error(`${from} was not written: the ${view} test did not reach its screenshot.`);
    copyFileSync(from, join('docs/images', `${view}-${suffix}.png`));
  }
}

// `npm run package`: builds the minified bundles and packs the extension into `<name>-<version>.vsix` at the
// repo root with @vscode/vsce, taken from the repo's devDependencies or else from the e2e tools folder that
// tools/e2e/setup.sh fills. What goes in is decided by .vscodeignore. Prints the .vsix path on the last line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const e2eHome = process.env.MMLENS_E2E_HOME || join(homedir(), '.cache', 'mmlens-e2e');
const vsce = [join(repo, 'node_modules/@vscode/vsce/vsce'), join(e2eHome, 'vsce/node_modules/@vscode/vsce/vsce')].find(existsSync);
if (!vsce) {
  console.error('@vscode/vsce is not installed: add it to devDependencies, or run `bash tools/e2e/setup.sh`.');
  process.exit(1);
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const { name, version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const out = join(repo, `${name}-${version}.vsix`);
run(['tools/build.mjs', '--production', '--quiet']);
// The manifest has neither a repository field nor a LICENSE file (the licence is named in package.json), and
// README links are repo-relative: these flags stop vsce from asking about them on stdin.
run([vsce, 'package', '--out', out, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links']);
console.log(`${out} (${(statSync(out).size / 2 ** 20).toFixed(1)} MiB)`);

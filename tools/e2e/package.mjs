// `npm run package [-- --target win32-x64]`: builds the minified bundles and packs a platform-specific extension
// into `<name>-<version>.vsix` at the repo root with @vscode/vsce, taken from the repo's devDependencies or else
// from the e2e tools folder that tools/e2e/setup.sh fills. What goes in is decided by .vscodeignore, written for
// linux-x64; another target gets a copy with that target's native folders instead, so each .vsix holds only its
// own platform's binaries. Prints the .vsix path on the last line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
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

const TARGETS = ['linux-x64', 'linux-arm64', 'win32-x64', 'win32-arm64', 'darwin-arm64'];
const at = process.argv.indexOf('--target');
const target = at > 0 ? process.argv[at + 1] : `${process.platform}-${process.arch}`;
if (!TARGETS.includes(target)) {
  console.error(`Unknown target "${target}": use one of ${TARGETS.join(', ')}.`);
  process.exit(1);
}
const [os, cpu] = target.split('-');
// sharp's native package is installed per platform by npm; another target's must be installed first.
if (!existsSync(join(repo, 'node_modules/@img', `sharp-${target}`))) {
  console.error(`node_modules/@img/sharp-${target} is missing: run \`npm install --no-save --os=${os} --cpu=${cpu} sharp\` first.`);
  process.exit(1);
}
const ignoreFile = join(mkdtempSync(join(tmpdir(), 'mmlens-pack-')), '.vscodeignore');
writeFileSync(ignoreFile, readFileSync(join(repo, '.vscodeignore'), 'utf8').replaceAll('linux/x64', `${os}/${cpu}`).replaceAll('linux-x64', target));

const { name, version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const out = join(repo, `${name}-${version}.vsix`);
run(['tools/build.mjs', '--production', '--quiet']);
// The manifest has neither a repository field nor a LICENSE file (the licence is named in package.json), and
// README links are repo-relative: these flags stop vsce from asking about them on stdin.
run([vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--out', out, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links']);
console.log(`${out} (${target}, ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB)`);

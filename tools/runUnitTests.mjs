// Builds the bundles (the CLI and webview tests run the built files), then runs every *.test.ts under
// test/unit, test/webview and test/quality with Node's own test runner (Node 20 has no glob for --test), TypeScript
// loaded through tsx. Extra arguments (path substrings) narrow the set.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const build = spawnSync(process.execPath, ['tools/build.mjs', '--quiet'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const filters = process.argv.slice(2);
const files = ['test/unit', 'test/webview', 'test/quality']
  .filter((dir) => existsSync(dir))
  .flatMap((dir) => findTests(dir))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);

// `npm run test:e2e`: packs the extension (tools/e2e/package.mjs), then runs every test/e2e/*.e2e.ts with
// Node's own test runner, TypeScript loaded through tsx. Needs the host from `bash tools/e2e/setup.sh`.
// Not part of `npm test`: it starts a real VS Code (code-server) and takes about a minute.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function run(args) {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const filters = process.argv.slice(2);
const files = readdirSync('test/e2e')
  .filter((name) => name.endsWith('.e2e.ts'))
  .map((name) => join('test/e2e', name))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
run(['tools/e2e/package.mjs']);
// Screenshots from an earlier run would be mistaken for this run's.
mkdirSync('test/artifacts', { recursive: true });
for (const name of readdirSync('test/artifacts')) if (/^e2e-.*\.png$/.test(name)) rmSync(join('test/artifacts', name));
run(['--import', 'tsx', '--test', '--test-concurrency=1', ...files]);

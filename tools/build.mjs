// One esbuild script for the bundles: the extension (node, cjs), its inference process (node, cjs), the `mmlens`
// CLI (node, cjs, with a shebang) and the webview bundles (browser, iife). Native modules stay external: the package ships them.
// `--watch` rebuilds on change; `--production` minifies and drops source maps; `--quiet` prints only problems.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const native = ['vscode', 'onnxruntime-node', 'sharp'];
const logLevel = process.argv.includes('--quiet') ? 'warning' : 'info';
const common = { bundle: true, minify: production, sourcemap: production ? false : 'linked', logLevel };

const builds = [
  { ...common, entryPoints: ['extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: native },
  // The process the extension host forks for all native work (src/inference/remote/).
  { ...common, entryPoints: ['src/inference/remote/inferenceProcess.ts'], outfile: 'dist/inferenceProcess.js', platform: 'node', format: 'cjs', target: 'node20', external: native },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: native,
    banner: { js: '#!/usr/bin/env node' },
  },
  { ...common, entryPoints: { report: 'webview/reportMain.ts', probe: 'webview/probeMain.ts', generation: 'webview/generationMain.ts', heads: 'webview/headsMain.ts', evaluation: 'webview/evaluationMain.ts', ask: 'webview/generationPanelMain.ts', explorer: 'webview/explorer/explorerMain.ts', editor: 'webview/editor/editorMain.ts' }, outdir: 'dist/webview', platform: 'browser', format: 'iife', target: 'es2022' },
];

mkdirSync('dist/webview', { recursive: true });
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  chmodSync('dist/cli.js', 0o755);
}
copyFileSync('media/report.css', 'dist/webview/report.css');

/**
 * Extension activation in a fresh process: require the built dist/extension.js with a stand-in `vscode`,
 * then call activate() with a minimal context. Prints { requireMs, activateMs, subscriptions, loadedNative },
 * loadedNative naming any of onnxruntime-node and sharp that were loaded (activation must load neither).
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { reply } from './child';
import { installVscodeStandIn, vscodeStandIn } from './vscodeStandIn';

/** The result line. */
export interface ActivateChildResult {
  requireMs: number;
  activateMs: number;
  subscriptions: number;
  loadedNative: string[];
}

function main(): void {
  installVscodeStandIn(vscodeStandIn());
  const require = createRequire(__filename);
  const root = resolve('.');
  const start = performance.now();
  const extension = require(resolve('dist/extension.js')) as { activate(context: unknown): void };
  const requireMs = performance.now() - start;
  const context = { subscriptions: [] as unknown[], extensionPath: root, extensionUri: { fsPath: root, path: root } };
  const activateStart = performance.now();
  extension.activate(context);
  const activateMs = performance.now() - activateStart;
  const loadedNative = ['onnxruntime-node', 'sharp'].filter((name) => Object.keys(require.cache).some((file) => file.includes(`/node_modules/${name}/`)));
  reply({ requireMs, activateMs, subscriptions: context.subscriptions.length, loadedNative } satisfies ActivateChildResult);
}

main();

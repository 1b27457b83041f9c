/**
 * A stand-in for the `vscode` module, enough for activate(): every export of @types/vscode is there, and
 * every namespace, function and class answers with another stand-in, so registrations succeed and return
 * disposables whatever the providers call. Settings return their defaults. Installed through a require
 * hook, since dist/extension.js requires 'vscode'.
 */
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A callable, constructible object whose every property is another such object, or what the code assigned to it. */
function standIn(path: string): unknown {
  const children = new Map<PropertyKey, unknown>();
  return new Proxy(function () {}, {
    get(_target, key) {
      // Not a promise, and printable: code that awaits or logs a stand-in must not hang or throw.
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => path;
      if (!children.has(key)) children.set(key, standIn(`${path}.${String(key)}`));
      return children.get(key);
    },
    // Providers set properties on what they create (a status bar item's name, text, command): keep them.
    set(_target, key, value) {
      children.set(key, value);
      return true;
    },
    apply: () => standIn(`${path}()`),
    construct: () => standIn(`new ${path}()`) as object,
  });
}

/** The names @types/vscode exports at the top level (namespaces, classes, enums, functions, constants). */
function exportedNames(): string[] {
  const types = readFileSync(join('node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
  return [...new Set([...types.matchAll(/^\t(?:export )?(?:namespace|class|enum|const|function) (\w+)/gm)].map((m) => m[1]))];
}

/**
 * The stand-in module as a plain object with every exported name as an own property, because esbuild's
 * interop copies a CommonJS module's own properties into the namespace object it imports.
 */
export function vscodeStandIn(): Record<string, unknown> {
  const module: Record<string, unknown> = {};
  for (const name of exportedNames()) module[name] = standIn(`vscode.${name}`);
  const configuration = { get: (_key: string, fallback?: unknown) => fallback, has: () => false, inspect: () => undefined, update: async () => undefined };
  const workspace = module.workspace as Record<string, unknown>;
  module.workspace = new Proxy(workspace, { get: (target, key) => (key === 'getConfiguration' ? () => configuration : target[key as string]) });
  return module;
}

/** Makes `require('vscode')` return `module` from now on in this process. */
export function installVscodeStandIn(module: unknown): void {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? module : original.call(this, request, ...rest);
  };
}

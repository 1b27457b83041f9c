/**
 * Choosing an execution provider. onnxruntime-node on linux-x64 bundles `cpu` and `webgpu`; `cuda` exists
 * only where its provider library was installed beside the binding. `auto` tries the GPU providers first and
 * always ends at `cpu`, which cannot fail to start.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { badInput } from '../../core/errors';

/** The user's choice, from the `executionProvider` setting or `--ep`. */
export type ExecutionProviderSetting = 'auto' | 'cpu' | 'webgpu' | 'cuda';

/** The settings accepted, in the order shown to users. */
export const EXECUTION_PROVIDER_SETTINGS: readonly ExecutionProviderSetting[] = ['auto', 'cpu', 'webgpu', 'cuda'];

/** Parses a setting or flag value, with an error that lists the valid ones. */
export function parseExecutionProvider(value: string): ExecutionProviderSetting {
  const found = EXECUTION_PROVIDER_SETTINGS.find((ep) => ep === value.trim().toLowerCase());
  if (!found) {
    throw badInput(`Unknown execution provider "${value}".`, `Use one of: ${EXECUTION_PROVIDER_SETTINGS.join(', ')}.`);
  }
  return found;
}

/** True when onnxruntime-node's CUDA provider library is installed next to its native binding. */
export function isCudaInstalled(): boolean {
  try {
    const binding = require.resolve('onnxruntime-node/package.json');
    const bin = join(dirname(binding), 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(join(bin, 'libonnxruntime_providers_cuda.so')) || existsSync(join(bin, 'onnxruntime_providers_cuda.dll'));
  } catch {
    return false;
  }
}

const vulkanDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/usr/local/lib'];

/**
 * Why WebGPU cannot start here, checked without starting it, or undefined when it may. On Linux, Dawn needs a
 * Vulkan loader; without one it prints a native warning and fails, so we say so ourselves instead.
 */
export function webgpuUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...vulkanDirs];
  if (dirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')))) return undefined;
  return 'no Vulkan loader (libvulkan.so.1) is installed; install libvulkan1 and a GPU driver to use WebGPU';
}

/** The providers to try, best first; the last is always `cpu`. */
export function providerCandidates(setting: ExecutionProviderSetting, cudaInstalled = isCudaInstalled()): string[] {
  switch (setting) {
    case 'cpu':
      return ['cpu'];
    case 'webgpu':
      return ['webgpu', 'cpu'];
    case 'cuda':
      return ['cuda', 'cpu'];
    case 'auto':
      return [...(cudaInstalled ? ['cuda'] : []), 'webgpu', 'cpu'];
  }
}

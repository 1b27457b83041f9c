import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExecutionProvider, providerCandidates } from '../../../src/inference/runtime/executionProvider';
import { conciseError } from '../../../src/inference/runtime/sessions';
import { LensError } from '../../../src/core/errors';

test('auto tries cuda only where it is installed, and always ends at cpu', () => {
  assert.deepEqual(providerCandidates('auto', false), ['webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('auto', true), ['cuda', 'webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('cuda', false), ['cuda', 'cpu']);
  assert.deepEqual(providerCandidates('cpu', true), ['cpu']);
});

test('settings parse case-insensitively; unknown ones list the valid values', () => {
  assert.equal(parseExecutionProvider(' WebGPU '), 'webgpu');
  assert.throws(() => parseExecutionProvider('tpu'), (e: unknown) => e instanceof LensError && e.kind === 'badInput' && /auto, cpu, webgpu, cuda/.test(e.message));
});

test("onnxruntime's source location and failed check are cut from its messages", () => {
  const raw = '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\nmore';
  assert.equal(conciseError(new Error(raw)), 'Failed to get a WebGPU adapter: No supported adapters');
  assert.equal(conciseError(new Error('plain message')), 'plain message');
});

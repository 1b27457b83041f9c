/**
 * "Select Execution Provider...": where the model runs, saved in the user settings (the setting is
 * machine-scoped). Each choice says whether it can start here, checked without starting it.
 */
import * as vscode from 'vscode';
import { EXECUTION_PROVIDER_SETTINGS, isCudaInstalled, webgpuUnavailableReason, type ExecutionProviderSetting } from '../../inference/runtime/executionProvider';
import { UNTRUSTED_NOTE } from '../../shared/lensStatus';
import { readSettings, SECTION } from '../settings';

/** The command id, as contributed in package.json. */
export const SELECT_EXECUTION_PROVIDER_COMMAND = 'multimodalLens.selectExecutionProvider';

const DESCRIPTIONS: Record<ExecutionProviderSetting, string> = {
  auto: 'CUDA when installed, then WebGPU, then CPU',
  cpu: 'CPU only',
  webgpu: 'WebGPU (Vulkan, D3D12 or Metal); falls back to CPU',
  cuda: 'CUDA; falls back to CPU',
};

/** Why a provider cannot start here, or undefined when it may. */
function unavailable(setting: ExecutionProviderSetting): string | undefined {
  if (setting === 'webgpu') return webgpuUnavailableReason();
  if (setting === 'cuda' && !isCudaInstalled()) return 'onnxruntime-node was installed without its CUDA provider';
  return undefined;
}

/** Shows the picker and saves the choice. */
export async function selectExecutionProvider(): Promise<void> {
  const current = readSettings().executionProvider;
  const picked = await vscode.window.showQuickPick(EXECUTION_PROVIDER_SETTINGS.map((setting) => ({
    label: `${setting === current ? '$(check) ' : ''}${setting}`,
    description: DESCRIPTIONS[setting],
    detail: unavailable(setting) && `Not available here: ${unavailable(setting)}.`,
    setting,
  })), { title: 'Execution provider for Multimodal Lens' });
  if (!picked) return;
  await vscode.workspace.getConfiguration(SECTION).update('executionProvider', picked.setting, vscode.ConfigurationTarget.Global);
  if (!vscode.workspace.isTrusted) void vscode.window.showInformationMessage(`Execution provider saved in your user settings. ${UNTRUSTED_NOTE}`);
}

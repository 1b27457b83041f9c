/**
 * The status bar item: the model and the execution provider (the one that ran, once a model has run), a
 * tooltip with the details and the workspace-trust note, and a click that offers to switch either.
 */
import * as vscode from 'vscode';
import { statusText, statusTooltip } from '../shared/lensStatus';
import { Disposable } from './disposable';
import type { InferenceHost } from './inferenceHost';

/** The command the item runs: a menu of the model and provider commands. */
const MENU_COMMAND = 'multimodalLens.statusMenu';

const MENU: { label: string; command: string }[] = [
  { label: '$(package) Select Model...', command: 'multimodalLens.selectModel' },
  { label: '$(circuit-board) Select Execution Provider...', command: 'multimodalLens.selectExecutionProvider' },
  { label: '$(list-tree) Show Model Anatomy', command: 'multimodalLens.showAnatomy' },
  { label: '$(output) Show Log', command: 'multimodalLens.showLog' },
];

/** Shows and updates the item; disposed with the extension. */
export class LensStatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('multimodalLens.status', vscode.StatusBarAlignment.Right, 100));

  /** @param host whose state the item shows */
  constructor(private readonly host: InferenceHost) {
    super();
    this.item.name = 'Multimodal Lens';
    this.item.command = MENU_COMMAND;
    this.register(host.onDidChange(() => this.update()));
    this.register(vscode.commands.registerCommand(MENU_COMMAND, async () => {
      const picked = await vscode.window.showQuickPick(MENU, { title: 'Multimodal Lens' });
      if (picked) await vscode.commands.executeCommand(picked.command);
    }));
    this.update();
    this.item.show();
  }

  private update(): void {
    const status = this.host.status();
    this.item.text = statusText(status, this.host.bundledRoot);
    this.item.tooltip = statusTooltip(status, this.host.bundledRoot);
    this.item.accessibilityInformation = { label: this.item.tooltip.replace(/\n/g, '. ') };
  }
}

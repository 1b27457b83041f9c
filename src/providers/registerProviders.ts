/** Registers every command and provider of the extension; each registration goes into context.subscriptions. */
import * as vscode from 'vscode';
import { analyzeImage, ANALYZE_IMAGE_COMMAND } from './analyzeImageCommand';
import { askAboutImage, ASK_ABOUT_IMAGE_COMMAND } from './askAboutImageCommand';
import { analyzeSelection, ANALYZE_SELECTION_COMMAND } from './commands/analyzeSelection';
import { evaluateMapMethods, EVALUATE_MAP_METHODS_COMMAND } from './commands/evaluateMapMethods';
import { exportReport, EXPORT_REPORT_COMMAND } from './commands/exportReport';
import { registerLensCommand } from './commands/lensCommand';
import { runProbe, RUN_PROBE_COMMAND } from './commands/runProbe';
import { selectExecutionProvider, SELECT_EXECUTION_PROVIDER_COMMAND } from './commands/selectExecutionProvider';
import { selectModel, SELECT_MODEL_COMMAND } from './commands/selectModel';
import { AnatomyDocuments, SHOW_ANATOMY_COMMAND } from './commands/showAnatomy';
import { zeroShot, ZERO_SHOT_COMMAND } from './commands/zeroShot';
import { rankHeads, RANK_HEADS_COMMAND } from './commands/rankHeads';
import { downloadModelCommand, DOWNLOAD_MODEL_COMMAND } from './downloadModelCommand';
import { ExplorerViewProvider } from './explorerView';
import { ImageHoverProvider } from './hoverProvider';
import { ImageEditorProvider } from './imageEditor';
import { InferenceHost } from './inferenceHost';
import { createLog } from './log';
import { LensStatusBar } from './statusBar';

/** Sets up the extension's commands over one lazily created inference service. */
export function registerProviders(context: vscode.ExtensionContext): void {
  const log = createLog();
  // Optimized models are kept in the extension's global storage, so sessions after the first start warm.
  const host = new InferenceHost(context.extensionPath, log, vscode.Uri.joinPath(context.globalStorageUri, 'sessions').fsPath);
  const { extensionUri } = context;
  const anatomy = new AnatomyDocuments(host);
  context.subscriptions.push(
    log,
    host,
    new LensStatusBar(host),
    new ExplorerViewProvider(extensionUri, host),
    new ImageEditorProvider(extensionUri, host),
    new ImageHoverProvider(host),
    anatomy.register(),
    registerLensCommand(ANALYZE_IMAGE_COMMAND, log, (uri?: vscode.Uri) => analyzeImage(host, extensionUri, uri)),
    registerLensCommand(ANALYZE_SELECTION_COMMAND, log, () => analyzeSelection(host, extensionUri)),
    registerLensCommand(ASK_ABOUT_IMAGE_COMMAND, log, (uri?: vscode.Uri) => askAboutImage(host, extensionUri, uri)),
    registerLensCommand(ZERO_SHOT_COMMAND, log, (uri?: vscode.Uri) => zeroShot(host, extensionUri, uri)),
    registerLensCommand(RANK_HEADS_COMMAND, log, (uri?: vscode.Uri) => rankHeads(host, extensionUri, uri)),
    registerLensCommand(RUN_PROBE_COMMAND, log, (uri?: vscode.Uri) => runProbe(host, extensionUri, uri)),
    registerLensCommand(EVALUATE_MAP_METHODS_COMMAND, log, (uri?: vscode.Uri) => evaluateMapMethods(host, extensionUri, uri)),
    registerLensCommand(SHOW_ANATOMY_COMMAND, log, () => anatomy.show()),
    registerLensCommand(SELECT_MODEL_COMMAND, log, () => selectModel(host, context.extensionPath, context.globalStorageUri)),
    registerLensCommand(SELECT_EXECUTION_PROVIDER_COMMAND, log, selectExecutionProvider),
    registerLensCommand(EXPORT_REPORT_COMMAND, log, () => exportReport(host, extensionUri)),
    registerLensCommand(DOWNLOAD_MODEL_COMMAND, log, () => downloadModelCommand(log, context.globalStorageUri)),
    vscode.commands.registerCommand('multimodalLens.showLog', () => log.show()),
  );
}

/**
 * The analysis panel: a webview showing one analysis with the same drawing code as the HTML report. The
 * page is built by the report builder (strict CSP, scripts and styles only by nonce, data inlined as JSON).
 */
import * as vscode from 'vscode';
import { buildHtmlReport } from '../cli/htmlReport';
import type { ReportData } from '../shared/reportData';

/** Opens a panel beside the editor showing `data`. */
export async function showAnalysisPanel(extensionUri: vscode.Uri, data: ReportData): Promise<vscode.WebviewPanel> {
  const assets = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const panel = vscode.window.createWebviewPanel('multimodalLens.analysis', `Lens: ${data.result.images[0]?.path.split(/[\\/]/).pop() ?? 'analysis'}`, vscode.ViewColumn.Beside, {
    enableScripts: true,
    localResourceRoots: [assets, vscode.Uri.joinPath(extensionUri, 'media')],
  });
  const read = async (name: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(assets, name)));
  panel.webview.html = buildHtmlReport(data, { script: await read('report.js'), css: await read('report.css') });
  return panel;
}

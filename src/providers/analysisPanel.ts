/**
 * The analysis, probe, map evaluation and head importance panels: webviews showing one result with the same drawing code as the HTML reports (a
 * generated answer has its own panel, askPanel.ts). The page is built by the report builder (strict CSP, scripts
 * and styles only by nonce, data inlined as JSON), from the bundles in dist/webview.
 */
import * as vscode from 'vscode';
import { buildHtmlReport } from '../cli/htmlReport';
import { readReportAssets, type ReportPage } from '../cli/reportAssets';
import type { HeadsReportData } from '../shared/headImportance';
import type { EvaluationReportData } from '../shared/mapEvaluation';
import type { ProbeReportData } from '../shared/probeResult';
import type { ReportData } from '../shared/reportData';

/** Opens a panel beside the editor (in the group of the last analysis panel still open) showing `data`. */
export function showAnalysisPanel(extensionUri: vscode.Uri, data: ReportData): Promise<vscode.WebviewPanel> {
  const title = `Lens: ${data.result.images[0]?.path.split(/[\\/]/).pop() ?? 'analysis'}`;
  return showReportPanel(extensionUri, 'report', title, data);
}

/** Opens a panel beside the editor (in the group of the last probe panel still open) showing a probe result; `manifest` names it in the title. */
export function showProbePanel(extensionUri: vscode.Uri, data: ProbeReportData, manifest: string): Promise<vscode.WebviewPanel> {
  return showReportPanel(extensionUri, 'probe', `Lens probe: ${manifest.split(/[\\/]/).pop()}`, data);
}

/** Shows a head importance grid (Rank Attention Heads...) in a panel named after its image. */
export function showHeadsPanel(extensionUri: vscode.Uri, data: HeadsReportData): Promise<vscode.WebviewPanel> {
  return showReportPanel(extensionUri, 'heads', `Lens heads: ${data.result.image.split(/[\\/]/).pop()}`, data);
}

/** Shows a map evaluation of the manifest `manifest` in a panel. */
export function showEvaluationPanel(extensionUri: vscode.Uri, data: EvaluationReportData, manifest: string): Promise<vscode.WebviewPanel> {
  return showReportPanel(extensionUri, 'evaluation', `Lens map evaluation: ${manifest.split(/[\\/]/).pop()}`, data);
}

/** The newest open panel of each page, so the next one opens as a tab in its group instead of splitting again. */
const newest = new Map<ReportPage, vscode.WebviewPanel>();

async function showReportPanel(extensionUri: vscode.Uri, page: Exclude<ReportPage, 'generation'>, title: string, data: ReportData | ProbeReportData | EvaluationReportData | HeadsReportData): Promise<vscode.WebviewPanel> {
  const html = buildHtmlReport(data, await readReportAssets(extensionUri.fsPath, page));
  const column = newest.get(page)?.viewColumn ?? vscode.ViewColumn.Beside;
  const panel = vscode.window.createWebviewPanel(`multimodalLens.${page === 'report' ? 'analysis' : page}`, title, column, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  });
  panel.webview.html = html;
  newest.set(page, panel);
  panel.onDidDispose(() => {
    if (newest.get(page) === panel) newest.delete(page);
  });
  return panel;
}

/**
 * "Export Report...": saves the last analysis, probe or generated answer as a self-contained HTML report (the same
 * page the CLI's --html writes) or as JSON, chosen by the save dialog's file type, and says where, with a button
 * that opens it.
 */
import * as vscode from 'vscode';
import { buildHtmlReport } from '../../cli/htmlReport';
import { readReportAssets } from '../../cli/reportAssets';
import type { InferenceHost, LastReport } from '../inferenceHost';

/** The command id, as contributed in package.json. */
export const EXPORT_REPORT_COMMAND = 'multimodalLens.exportReport';

/** Asks where to save the last report and writes it as HTML or JSON. */
export async function exportReport(host: InferenceHost, extensionUri: vscode.Uri): Promise<void> {
  const report = host.lastReport;
  if (!report) {
    void vscode.window.showInformationMessage('Nothing to export yet: run Analyze Image, Ask About Image or Run Fusion Probe on Dataset first.');
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `${report.data.result.model.name.replace(/[^\w.-]+/g, '-')}-${report.kind}`;
  const target = await vscode.window.showSaveDialog({
    title: 'Export Multimodal Lens report',
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${name}.html`) : undefined,
    filters: { 'HTML report': ['html'], JSON: ['json'] },
  });
  if (!target) return;
  const asJson = /\.json$/i.test(target.path);
  const text = asJson ? json(report.data.result) : await html(report, extensionUri);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  host.log.info(`Report saved to ${target.fsPath}.`);
  const choice = await vscode.window.showInformationMessage(`Multimodal Lens: report saved to ${target.fsPath}.`, 'Open');
  if (choice) await (asJson ? vscode.window.showTextDocument(target) : vscode.env.openExternal(target));
}

/** Asks where to save `value` as JSON (starting at `suggested`) and writes it. */
export async function saveJson(value: unknown, suggested: vscode.Uri): Promise<void> {
  const target = await vscode.window.showSaveDialog({ title: 'Save as JSON', defaultUri: suggested, filters: { JSON: ['json'] } });
  if (target) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(json(value)));
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function html(report: LastReport, extensionUri: vscode.Uri): Promise<string> {
  const assets = await readReportAssets(extensionUri.fsPath, report.kind === 'analysis' ? 'report' : report.kind);
  return buildHtmlReport(report.data, assets);
}

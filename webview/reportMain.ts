/**
 * Entry of the HTML report (bundled as an IIFE and inlined by src/cli/htmlReport.ts): reads the data that the
 * report builder put in the page and draws it. In a VS Code panel the page can also ask the extension for
 * occlusion and RISE maps and for attention rows it does not hold; as a standalone file it has no one to ask.
 */
import { Msg, type AttentionRowsReply, type OcclusionReply } from '../src/shared/protocol';
import { DATA_ELEMENT_ID, type ReportData } from '../src/shared/reportData';
import { renderAnalysis } from './analysisView';
import { sendExport } from './explorer/exporting';
import { connectRequester } from './explorer/hostPort';
import { addFigureExports } from './figureExports';
import type { AnalysisActions } from './occlusionControls';

function panelActions(): AnalysisActions | undefined {
  const host = connectRequester();
  if (!host) return undefined;
  return {
    computeOcclusion: (image, text, method) => host.requests.send({ type: Msg.ComputeOcclusion, image, text, method }) as Promise<OcclusionReply>,
    attentionRows: (item, query) => host.requests.send({ type: Msg.AttentionRows, item, query }) as Promise<AttentionRowsReply>,
    exportFile: (format, fileName, content, report) => sendExport(host, format, fileName, content, report),
  };
}

const data = document.getElementById(DATA_ELEMENT_ID);
const app = document.getElementById('app');
if (data && app) {
  const actions = panelActions();
  renderAnalysis(app, JSON.parse(data.textContent ?? '{}') as ReportData, actions);
  // The score tables and the fusion section's tables export as figures; the images and heads export in their sections.
  if (actions) addFigureExports(app.querySelectorAll<HTMLElement>('section.scores, section.cross-modal'), 'analysis', actions.exportFile);
} else {
  document.body.textContent = 'This report is damaged: its data or #app element is missing.';
}

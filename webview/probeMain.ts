/**
 * Entry of the standalone probe report (bundled as an IIFE and inlined by src/cli/htmlReport.ts): reads the
 * probe result the report builder put in the page and draws it. In a VS Code panel the page also offers its
 * figures and data for export (the extension saves them); as a standalone file it has no one to ask. Its
 * styles add to media/report.css.
 */
import './probe.css';
import type { ProbeReportData } from '../src/shared/probeResult';
import { Msg } from '../src/shared/protocol';
import { DATA_ELEMENT_ID } from '../src/shared/reportData';
import { sendExport } from './explorer/exporting';
import { connectRequester } from './explorer/hostPort';
import { addProbeExports } from './figureExports';
import { renderProbe } from './probeView';

const data = document.getElementById(DATA_ELEMENT_ID);
const app = document.getElementById('app');
if (data && app) {
  const { result, methodsDoc } = JSON.parse(data.textContent ?? '{}') as ProbeReportData;
  const host = connectRequester();
  renderProbe(app, result, { href: methodsDoc, open: host && ((section) => host.post({ type: Msg.OpenMethodsDoc, section })) });
  if (host) {
    addProbeExports(app, result, (format, fileName, content, report) => sendExport(host, format, fileName, content, report));
  }
} else {
  document.body.textContent = 'This report is damaged: its data or #app element is missing.';
}

/**
 * Entry of the standalone probe report (bundled as an IIFE and inlined by src/cli/htmlReport.ts): reads the
 * probe result the report builder put in the page and draws it. Its styles add to media/report.css.
 */
import './probe.css';
import type { ProbeReportData } from '../src/shared/probeResult';
import { DATA_ELEMENT_ID } from '../src/shared/reportData';
import { renderProbe } from './probeView';

const data = document.getElementById(DATA_ELEMENT_ID);
const app = document.getElementById('app');
if (data && app) {
  renderProbe(app, (JSON.parse(data.textContent ?? '{}') as ProbeReportData).result);
} else {
  document.body.textContent = 'This report is damaged: its data or #app element is missing.';
}

/**
 * Entry of the standalone head importance report (`mmlens heads --html`, bundled as an IIFE and inlined by
 * src/cli/htmlReport.ts): reads the result the report builder put in the page and draws its grid. Its styles add to
 * media/report.css.
 */
import './heads.css';
import type { HeadsReportData } from '../src/shared/headImportance';
import { DATA_ELEMENT_ID } from '../src/shared/reportData';
import { renderHeadImportance } from './headImportanceView';

const data = document.getElementById(DATA_ELEMENT_ID);
const app = document.getElementById('app');
if (data && app) {
  renderHeadImportance(app, (JSON.parse(data.textContent ?? '{}') as HeadsReportData).result);
} else {
  document.body.textContent = 'This report is damaged: its data or #app element is missing.';
}

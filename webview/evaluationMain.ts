/**
 * Entry of the map evaluation page (`mmlens evaluate --manifest --html`, bundled as an IIFE and inlined by
 * src/cli/htmlReport.ts; in VS Code the Evaluate Map Methods on Dataset... panel): reads the result the report
 * builder put in the page and draws it. In a panel each worst case can be opened; a standalone file has no one to
 * ask. Its styles add to media/report.css.
 */
import './evaluation.css';
import type { EvaluationReportData } from '../src/shared/mapEvaluation';
import { Msg } from '../src/shared/protocol';
import { DATA_ELEMENT_ID } from '../src/shared/reportData';
import { connectRequester } from './explorer/hostPort';
import { renderEvaluation } from './evaluationView';

const data = document.getElementById(DATA_ELEMENT_ID);
const app = document.getElementById('app');
if (data && app) {
  const host = connectRequester();
  renderEvaluation(app, (JSON.parse(data.textContent ?? '{}') as EvaluationReportData).result, host && ((index, method) => host.post({ type: Msg.OpenEvaluationCase, index, method })));
} else {
  document.body.textContent = 'This report is damaged: its data or #app element is missing.';
}

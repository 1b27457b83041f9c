/**
 * The self-contained HTML report: one file holding the analysis, its images (data: URLs), the CSS and the
 * bundled view script, viewable offline. A strict CSP forbids every network request and lets only the two
 * inline elements carrying this report's random nonce run or style the page.
 */
import { randomBytes } from 'node:crypto';
import type { GenerationReportData } from '../shared/generationResult';
import type { HeadsReportData } from '../shared/headImportance';
import type { EvaluationReportData } from '../shared/mapEvaluation';
import type { ProbeReportData } from '../shared/probeResult';
import { DATA_ELEMENT_ID, type ReportData } from '../shared/reportData';

/** The built assets inlined into the report: the IIFE bundle of the page's entry (webview/reportMain.ts, probeMain.ts, generationMain.ts, headsMain.ts, evaluationMain.ts) and its CSS. */
export interface ReportAssets {
  script: string;
  css: string;
}

/** JSON that cannot end its <script> element: every `<` becomes \u003c, which JSON.parse reads back as `<`. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Script text that cannot end its element early: `</script` and `<!--` written as `\x3C…`, the same text to JS in strings and regexes. */
function inlineScript(script: string): string {
  return script.replace(/<(\/script|!--)/gi, '\\x3C$1');
}

/** CSS that cannot end its <style> element: `</style` written with a CSS escape for the slash. */
function inlineCss(css: string): string {
  return css.replace(/<\/style/gi, '<\\/style');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Builds the report (an analysis, a probe, a generation, a head importance grid or a map evaluation) as one HTML string; each call uses a fresh random nonce. */
export function buildHtmlReport(data: ReportData | ProbeReportData | GenerationReportData | HeadsReportData | EvaluationReportData, assets: ReportAssets): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Multimodal Lens report: ${data.result.model.name}`)}</title>
<style nonce="${nonce}">
${inlineCss(assets.css)}
</style>
</head>
<body>
<main id="app"></main>
<script type="application/json" id="${DATA_ELEMENT_ID}">${inlineJson(data)}</script>
<script nonce="${nonce}">
${inlineScript(assets.script)}
</script>
</body>
</html>
`;
}

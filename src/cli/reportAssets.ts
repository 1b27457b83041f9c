/**
 * The built webview assets that the self-contained HTML reports inline: each page's bundle (dist/webview,
 * built by tools/build.mjs) and its styles.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LensError } from '../core/errors';
import type { ReportAssets } from './htmlReport';

/** The report pages: the analysis report, the probe report, the generation report and the head importance report. */
export type ReportPage = 'report' | 'probe' | 'generation' | 'heads' | 'evaluation';

/** Style sheets of each page, in order: the probe, generation and heads pages add their own to the shared one. */
const STYLES: Record<ReportPage, string[]> = { report: ['report.css'], probe: ['report.css', 'probe.css'], generation: ['report.css', 'generation.css'], heads: ['report.css', 'heads.css'], evaluation: ['report.css', 'evaluation.css'] };

/** Reads the bundle and styles of `page` from the package's dist/webview. */
export async function readReportAssets(packageRoot: string, page: ReportPage): Promise<ReportAssets> {
  const folder = join(packageRoot, 'dist', 'webview');
  try {
    const [script, ...styles] = await Promise.all([`${page}.js`, ...STYLES[page]].map((name) => readFile(join(folder, name), 'utf8')));
    return { script, css: styles.join('\n') };
  } catch {
    throw new LensError('internal', `The report assets are missing from ${folder}.`, 'Run `npm run build` first.');
  }
}

/**
 * The benchmark's output: one Markdown table (pasted as is into docs/performance.md) and the `--json` file
 * with `figures: [{ name, value, unit, goal, met }]` beside the machine details.
 */
import { writeFileSync } from 'node:fs';
import type { Figure } from './figures';
import type { MachineInfo } from './machine';

/** Everything one run produced. */
export interface BenchReport {
  machine: MachineInfo;
  ep: string;
  /** Providers that actually ran sessions (a GPU provider that fails falls back to cpu). */
  providers: string[];
  notices: string[];
  seconds: number;
  figures: Figure[];
}

/** Three significant digits (four from 100 to 1000, so a value just over a goal does not print as the goal). */
function formatValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return Math.round(value).toString();
  return Number(value.toPrecision(Math.abs(value) >= 100 ? 4 : 3)).toString();
}

function metCell(figure: Figure): string {
  if (figure.goal === null) return '';
  if (figure.met === null) return 'not measured';
  return figure.met ? 'yes' : '**no**';
}

/** The report as Markdown: a header line per fact, then the table. */
export function markdownReport(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}, onnxruntime-node ${m.onnxruntime};`,
    `--ep ${report.ep} (ran on: ${report.providers.join(', ') || 'none'}); load average ${m.loadAverage.toFixed(1)} at the start; ${Math.round(report.seconds)} s in all.`,
    ...report.notices.map((n) => `Notice: ${n}`),
    '',
    '| Figure | Value | Unit | Goal | Met | Note |',
    '| --- | ---: | --- | --- | --- | --- |',
    ...report.figures.map((f) => `| ${f.name} | ${formatValue(f.value)} | ${f.unit} | ${f.goal ?? ''} | ${metCell(f)} | ${f.note ?? ''} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes the JSON form of the report. */
export function writeJsonReport(file: string, report: BenchReport): void {
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

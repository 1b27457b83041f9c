/**
 * The extension's "Analyze Image" flow in a fresh process, with the resident memory after each stage: load
 * the runtimes, open the model, analyze one image with five texts for a page (its attention packed at the level
 * its size picks, as the panel gets it from the inference process), then build the panel's HTML page, which
 * it writes to <out.html> for the webview figures; last, apart from the stages, the size of the attention packed
 * in full (`--report-attention full`).
 * Prints { stages: [{ stage, peakMiB, nowMiB }], analyzeMs, htmlBytes, level, fullAttentionBytes, provider }.
 * Usage: memoryChild.ts <modelDir> <image> <out.html> <executionProvider>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildHtmlReport } from '../../src/cli/htmlReport';
import { parseExecutionProvider } from '../../src/inference/runtime/executionProvider';
import { getSharp } from '../../src/inference/images/imageDecode';
import { imagePreviewDataUrl } from '../../src/inference/images/imagePreview';
import { InferenceService } from '../../src/inference/service';
import { pageAnalysis } from '../../src/inference/tasks/packAttention';
import { loadOrt } from '../../src/inference/runtime/sessions';
import { reply } from './child';
import { residentMiB } from './machine';
import { FIVE_TEXTS } from './sampleInputs';

/** Memory after one stage, in MiB. */
export interface MemoryStage {
  stage: string;
  peakMiB: number;
  nowMiB: number;
  arrayBuffersMiB: number;
}

/** The result line. */
export interface MemoryChildResult {
  stages: MemoryStage[];
  analyzeMs: number;
  htmlBytes: number;
  /** The level the page's attention was packed at. */
  level: string;
  /** The packed attention's base64 characters at `--report-attention full`. */
  fullAttentionBytes: number;
  provider: string;
}

async function main(): Promise<void> {
  const [modelDir, image, outHtml, ep] = process.argv.slice(2);
  if (!ep) throw new Error('usage: memoryChild.ts <modelDir> <image> <out.html> <executionProvider>');
  const stages: MemoryStage[] = [];
  const mark = (stage: string) => stages.push({ stage, ...residentMiB() });
  mark('node and tsx started');
  await loadOrt();
  await getSharp();
  mark('onnxruntime and sharp loaded');
  const service = new InferenceService({ executionProvider: parseExecutionProvider(ep), defaultModelDir: modelDir });
  await service.model();
  mark('model opened (both tapped sessions)');
  const start = performance.now();
  const request = { images: [image], texts: FIVE_TEXTS };
  const result = await service.analyze({ ...request, pageAttention: {} });
  const analyzeMs = performance.now() - start;
  mark('analyze() for the page returned');
  const assets = { script: readFileSync('dist/webview/report.js', 'utf8'), css: readFileSync('dist/webview/report.css', 'utf8') };
  const page = pageAnalysis(result);
  const html = buildHtmlReport({ ...page, images: [await imagePreviewDataUrl(image)] }, assets);
  mark('panel HTML built');
  writeFileSync(outHtml, html);
  // After the stages: the same analysis packed in full, for its size.
  const full = page.attention?.level === 'full' ? page.attention : (await service.analyze({ ...request, pageAttention: { level: 'full' } })).pageAttention;
  const fullAttentionBytes = full?.attention.layerData.reduce((sum, layer) => sum + layer.length, 0) ?? 0;
  reply({ stages, analyzeMs, htmlBytes: Buffer.byteLength(html), level: page.attention?.level ?? 'none', fullAttentionBytes, provider: result.model.executionProvider } satisfies MemoryChildResult);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

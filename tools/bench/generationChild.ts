/**
 * `mmlens generate --attention --json` in a fresh process, with the resident memory after each stage: load
 * onnxruntime, open the VLM (three sessions, the decoder tapped), generate <tokens> tokens with the raw decoder
 * attention kept, then write the result as the CLI's JSON. Prints { stages, generated, stopReason, jsonBytes, provider }.
 * Usage: generationChild.ts <modelDir> <image> <tokens> <executionProvider>
 */
import { parseExecutionProvider } from '../../src/inference/runtime/executionProvider';
import { InferenceService } from '../../src/inference/service';
import { loadOrt } from '../../src/inference/runtime/sessions';
import type { GenerationResult } from '../../src/shared/generationResult';
import { reply } from './child';
import { residentMiB } from './machine';
import type { MemoryStage } from './memoryChild';

/** The result line. */
export interface GenerationChildResult {
  stages: MemoryStage[];
  generated: number;
  stopReason: GenerationResult['stopReason'];
  jsonBytes: number;
  provider: string;
}

async function main(): Promise<void> {
  const [modelDir, image, tokens, ep] = process.argv.slice(2);
  if (!ep) throw new Error('usage: generationChild.ts <modelDir> <image> <tokens> <executionProvider>');
  const stages: MemoryStage[] = [];
  const mark = (stage: string) => stages.push({ stage, ...residentMiB() });
  mark('node and tsx started');
  await loadOrt();
  mark('onnxruntime loaded');
  const service = new InferenceService({ executionProvider: parseExecutionProvider(ep), defaultModelDir: modelDir });
  await service.model();
  mark('model opened (three sessions, decoder tapped)');
  const result = await service.generate({ images: [image], prompt: 'Describe the image.', maxNewTokens: Number(tokens), includeAttention: true });
  mark(`generate() returned (${result.generated.length} tokens, attention kept)`);
  const json = JSON.stringify(result);
  mark('result as JSON');
  reply({ stages, generated: result.generated.length, stopReason: result.stopReason, jsonBytes: Buffer.byteLength(json), provider: result.model.executionProvider } satisfies GenerationChildResult);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

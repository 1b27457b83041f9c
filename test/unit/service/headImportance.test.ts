// Head ablation against Hugging Face's own modules: tools/fixtures/hfHeadMask.py rebuilt the HF CLIP, SigLIP, ViLT and BLIP
// fixtures from their seed and masked each head with a pre-hook on HF's attention output projection (the merged per-head
// context times ξ, as Michel et al.'s code masks it), writing headMask.json. The product masks inside the ONNX
// graph instead (onnx/headMask.ts). CLIP's export computes attention as [batch*heads, q, d], SigLIP's as
// [batch, heads, q, d], so both layouts are checked; so is CLIP's one-graph model.onnx (two towers, one graph).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceService } from '../../../src/inference/service';
import type { HeadStream } from '../../../src/shared/headImportance';
import { writeTinyClip } from '../../support/tinyClip';

interface HeadMaskGrid {
  score: number;
  ablated: number[][];
  layerAblated: number[];
}
/** headMask.json: the pair and HF's grid for each tower. */
interface HeadMaskReference {
  image: string;
  text: string;
  towers: Partial<Record<HeadStream, HeadMaskGrid>>;
}

const TOLERANCE = 2e-5;
let service: InferenceService;
let work: string;
before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'test/fixtures/hf-clip' });
  work = mkdtempSync(join(tmpdir(), 'mmlens-heads-'));
});
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < TOLERANCE, `${what}: ${actual} vs HF ${expected}`);
}

async function checkAgainstHf(fixture: string, modelDir: string): Promise<void> {
  const reference = JSON.parse(readFileSync(join('test/fixtures', fixture, 'headMask.json'), 'utf8')) as HeadMaskReference;
  for (const [stream, expected] of Object.entries(reference.towers) as [HeadStream, HeadMaskGrid][]) {
    const result = await service.headImportance({ modelDir, image: join('test/fixtures', fixture, reference.image), text: reference.text, stream });
    const what = `${fixture} ${stream}`;
    assert.equal(result.layers, expected.ablated.length, what);
    assert.equal(result.heads, expected.ablated[0].length, what);
    close(result.score, expected.score, `${what} score`);
    // The masked graph with every head kept is the model itself (Mul by 1 changes no bit).
    assert.equal(result.allOnesGap, 0, `${what} all-ones gap`);
    expected.ablated.forEach((row, l) => row.forEach((value, h) => {
      close(result.ablated[l][h], value, `${what} layer ${l} head ${h}`);
      close(result.importance[l][h], expected.score - value, `${what} importance ${l},${h}`);
    }));
    expected.layerAblated.forEach((value, l) => close(result.layerAblated[l], value, `${what} layer ${l} whole`));
    assert.equal(result.cost.forwardPasses, 1 + result.layers * (result.heads + 1));
    // The fixtures' heads matter: some single-head ablation moves the score.
    assert.ok(result.importance.flat().some((v) => Math.abs(v) > 1e-3), `${what} heads change the score`);
  }
}

test('CLIP (attention as [batch*heads, q, d]): every head and layer of both towers as HF masks them', () => checkAgainstHf('hf-clip', 'test/fixtures/hf-clip'));

test('SigLIP (attention as [batch, heads, q, d], an attention-pooling head left unmasked): as HF masks them', () => checkAgainstHf('hf-siglip', 'test/fixtures/hf-siglip'));

test('ViLT (a single-stream matcher): every head and layer of its joint layers, the matching probability as HF masks it', () => checkAgainstHf('hf-vilt', 'test/fixtures/hf-vilt'));

test('BLIP ITM (a cross-attention matcher): its image encoder, text self-attention and cross-attention as HF masks them', () => checkAgainstHf('hf-blip', 'test/fixtures/hf-blip'));

test('CLIP\'s one-graph model.onnx: each tower masked within the one graph, as HF masks it', async () => {
  const copy = join(work, 'one-graph');
  cpSync('test/fixtures/hf-clip', copy, { recursive: true });
  for (const file of readdirSync(join(copy, 'onnx'))) if (/^(vision|text)_model/.test(file)) rmSync(join(copy, 'onnx', file));
  const reference = JSON.parse(readFileSync('test/fixtures/hf-clip/headMask.json', 'utf8')) as HeadMaskReference;
  for (const stream of ['vision', 'text'] as const) {
    const result = await service.headImportance({ modelDir: copy, image: join(copy, reference.image), text: reference.text, stream });
    reference.towers[stream]!.ablated.forEach((row, l) => row.forEach((value, h) => close(result.ablated[l][h], value, `one graph ${stream} ${l},${h}`)));
    assert.equal(result.allOnesGap, 0);
  }
});

test('fused attention operators are refused, naming the operator', async () => {
  const fused = writeTinyClip({ fusedAttention: true, seed: 7 });
  try {
    await assert.rejects(
      service.headImportance({ modelDir: fused.dir, image: 'test/fixtures/hf-clip/noise_150x90.png', text: 'a b', stream: 'vision' }),
      (error: Error) => /fused operators \(MultiHeadAttention\)/.test(error.message),
    );
  } finally {
    fused.remove();
  }
});

test('a float16 graph (CLIP\'s vision_model_fp16.onnx): the mask is cast in the graph; HF\'s float32 grid within float16 rounding', async () => {
  const half = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'test/fixtures/hf-clip', modelVariant: 'fp16' });
  try {
    const reference = JSON.parse(readFileSync('test/fixtures/hf-clip/headMask.json', 'utf8')) as HeadMaskReference;
    const result = await half.headImportance({ image: join('test/fixtures/hf-clip', reference.image), text: reference.text, stream: 'vision' });
    assert.match(result.model.notices.join(' '), /vision_model_fp16\.onnx/);
    assert.equal(result.allOnesGap, 0);
    reference.towers.vision!.ablated.forEach((row, l) => row.forEach((value, h) => assert.ok(Math.abs(result.ablated[l][h] - value) < 2e-3, `fp16 ${l},${h}: ${result.ablated[l][h]} vs ${value}`)));
  } finally {
    await half.dispose();
  }
});

// The explorer's answer grid with a generative model, on the tiny LLaVA fixture through the real inference
// service: every prompt asked about every image in row order, each cell's answer what a generate call of its own
// writes (and, for the fixture's image and prompt, torch's greedy tokens in reference.json), progress counted per
// answer, and a cancel between answers ending the grid without another answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import type { ProgressReport } from '../../../src/core/progress';
import { InferenceService } from '../../../src/inference/service';
import { answerGrid, CELL_ANSWER_TOKENS, type Generate } from '../../../src/providers/explorerAnswers';
import type { GenerationResult } from '../../../src/shared/generationResult';

const dir = join(__dirname, '..', '..', 'fixtures', 'tiny-llava');
const images = [join(dir, 'edges_51x37.png'), join(__dirname, '..', '..', '..', 'media', 'samples', 'scene-1.png')];
const prompts = ['Describe the image.', 'How many shapes?'];
const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { steps: { id: number }[] };

let service: InferenceService;
before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
});
after(async () => {
  await service.dispose();
});

test('every prompt is asked about every image, each cell the answer its own generate call writes', async () => {
  const asked: string[] = [];
  const generate: Generate = (request, options) => {
    asked.push(`${request.images[0]} | ${request.prompt}`);
    return service.generate(request, options);
  };
  const cells = new Map<string, GenerationResult>();
  const progress: ProgressReport[] = [];
  await answerGrid(generate, images, prompts, { onProgress: (p) => progress.push(p) }, (i, j, result) => cells.set(`${i},${j}`, result));
  assert.deepEqual(asked, images.flatMap((image) => prompts.map((prompt) => `${image} | ${prompt}`)), 'row by row');
  assert.deepEqual(progress.map((p) => p.done), [0, 1, 2, 3, 4]);
  assert.ok(progress.every((p) => p.total === 4));
  for (const [i, image] of images.entries()) {
    for (const [j, prompt] of prompts.entries()) {
      const alone = await service.generate({ images: [image], prompt, maxNewTokens: CELL_ANSWER_TOKENS });
      const cell = cells.get(`${i},${j}`)!;
      assert.equal(cell.answer, alone.answer, `cell ${i},${j}`);
      assert.equal(cell.generated.length, CELL_ANSWER_TOKENS, 'the random fixture never writes its end token');
    }
  }
  const first = cells.get('0,0')!.generated.slice(0, reference.steps.length).map((t) => t.id);
  assert.deepEqual(first, reference.steps.map((s) => s.id), 'the fixture\'s image and prompt give torch\'s greedy tokens');
});

test('a cancel after the first answer ends the grid as cancelled, with no answer after it', async () => {
  const controller = new AbortController();
  const answered: string[] = [];
  await assert.rejects(
    answerGrid((r, o) => service.generate(r, o), images, prompts, { signal: controller.signal }, (i, j) => {
      answered.push(`${i},${j}`);
      controller.abort();
    }),
    (error) => error instanceof LensError && error.kind === 'cancelled',
  );
  assert.deepEqual(answered, ['0,0']);
});

/**
 * shapes-vlm's figures through the CLI's own path (InferenceService.generate, greedy, one service) on fresh scenes
 * from the TypeScript generator: `npx tsx tools/quality/vlmQuality.ts [--seed N] [--scenes N] [--model DIR]`.
 * Scenes of one, two and three objects in turn. Each scene is asked "Describe the image." (right when every
 * object's colour and shape is named once and nothing else is), "What colour is the {shape}?" for every shape it
 * holds once, "Where is the {colour} {shape}?" for every object, and "How many shapes?". Without --seed a random
 * one is drawn; it is printed. With --keep DIR the scenes stay in DIR with answers.json (every image, prompt and
 * answer), which tools/train/check_vlm_answers.py compares with the torch checkpoint's greedy answers.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundledModelDir } from '../../src/inference/model/bundledModels';
import { InferenceService } from '../../src/inference/service';
import { writeScenes } from '../../src/evaluation/sceneFiles';
import type { SceneObject, SceneTruth } from '../../src/shapesWorld/types';
import { SHAPE_WORDS } from '../../src/shapesWorld/vocab';

/** One figure: answers right, questions asked, and the scenes they came from. */
export interface VlmFigure {
  accuracy: number;
  right: number;
  asked: number;
  scenes: number;
  /** Up to five wrong answers, for reading. */
  wrong: { prompt: string; answer: string; expected: string }[];
}

/** One question put to one scene file, and the model's answer. */
export interface VlmAnswer {
  image: string;
  prompt: string;
  answer: string;
}

/** The four figures of issue 15 item 4. */
export interface VlmQuality {
  caption: VlmFigure;
  colour: VlmFigure;
  position: VlmFigure;
  count: VlmFigure;
}

/** Where an object is, by the model card's rule: `centre` inside the middle third both ways, else the side its centre is furthest toward. */
export function positionWord(object: SceneObject, size: number): string {
  const [u, v] = [object.centre.x / size - 0.5, object.centre.y / size - 0.5];
  if (Math.abs(u) <= 1 / 6 && Math.abs(v) <= 1 / 6) return 'centre';
  if (Math.abs(u) >= Math.abs(v)) return u < 0 ? 'left' : 'right';
  return v < 0 ? 'top' : 'bottom';
}

const COUNT_WORDS = ['one', 'two', 'three'];

/** Whether a caption names exactly the scene's objects: `a {colour} {shape}` phrases joined by "and", in any order. */
function captionRight(answer: string, truth: SceneTruth): boolean {
  const named = answer.trim().split(/\s+and\s+/).map((phrase) => phrase.split(/\s+/));
  if (!named.every((words) => words.length === 3 && words[0] === 'a')) return false;
  const key = (colour: string, shape: string) => `${colour} ${shape}`;
  return named.map(([, c, s]) => key(c, s)).sort().join(',') === truth.objects.map((o) => key(o.colour, o.shape)).sort().join(',');
}

/** The questions a scene is asked, per figure, with their expected answers (the caption's is judged by captionRight). */
function questions(truth: SceneTruth): [keyof VlmQuality, string, string][] {
  const out: [keyof VlmQuality, string, string][] = [['caption', 'Describe the image.', [...truth.objects].sort((a, b) => a.centre.x - b.centre.x).map((o) => `a ${o.colour} ${o.shape}`).join(' and ')]];
  for (const shape of SHAPE_WORDS) {
    const held = truth.objects.filter((o) => o.shape === shape);
    if (held.length === 1) out.push(['colour', `What colour is the ${shape}?`, held[0].colour]);
  }
  for (const o of truth.objects) out.push(['position', `Where is the ${o.colour} ${o.shape}?`, positionWord(o, truth.size)]);
  out.push(['count', 'How many shapes?', COUNT_WORDS[truth.objects.length - 1]]);
  return out;
}

/** Measures a shapes-vlm folder on `scenes` fresh scenes written into `dir`; every answer is also pushed to `answers` when given. */
export async function evaluateVlm(service: InferenceService, modelDir: string, options: { dir: string; seed: number; scenes: number; answers?: VlmAnswer[] }): Promise<VlmQuality> {
  const tallies = Object.fromEntries(['caption', 'colour', 'position', 'count'].map((k) => [k, { right: 0, asked: 0, scenes: new Set<number>(), wrong: [] as VlmFigure['wrong'] }]));
  for (const scene of await writeScenes(options.dir, options.seed, options.scenes, [1, 2, 3], 0)) {
    for (const [figure, prompt, expected] of questions(scene.truth)) {
      const { answer } = await service.generate({ modelDir, images: [scene.path], prompt, maxNewTokens: 16 });
      options.answers?.push({ image: scene.path, prompt, answer });
      const tally = tallies[figure];
      const right = figure === 'caption' ? captionRight(answer, scene.truth) : answer.trim() === expected;
      tally.asked++;
      tally.scenes.add(scene.truth.index);
      if (right) tally.right++;
      else if (tally.wrong.length < 5) tally.wrong.push({ prompt: `scene ${scene.truth.index}: ${prompt}`, answer, expected });
    }
  }
  const figure = (t: (typeof tallies)[string]): VlmFigure => ({ accuracy: t.right / t.asked, right: t.right, asked: t.asked, scenes: t.scenes.size, wrong: t.wrong });
  return { caption: figure(tallies.caption), colour: figure(tallies.colour), position: figure(tallies.position), count: figure(tallies.count) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, scenes: { type: 'string' }, model: { type: 'string' }, keep: { type: 'string' } } });
  const root = join(__dirname, '..', '..');
  const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
  const scenes = Number(values.scenes ?? 240);
  const modelDir = values.model ?? bundledModelDir(root, 'shapes-vlm');
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'mmlens-vlm-quality-'));
  mkdirSync(dir, { recursive: true });
  const answers: VlmAnswer[] = [];
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: modelDir });
  try {
    console.log(`${modelDir}: seed ${seed}, ${scenes} scenes (one, two and three objects in turn), greedy`);
    const start = performance.now();
    const quality = await evaluateVlm(service, modelDir, { dir, seed, scenes, answers });
    console.log('| figure | right | asked | scenes | accuracy |\n| --- | --- | --- | --- | --- |');
    for (const [name, f] of Object.entries(quality)) console.log(`| ${name} | ${f.right} | ${f.asked} | ${f.scenes} | ${(100 * f.accuracy).toFixed(1)}% |`);
    for (const [name, f] of Object.entries(quality)) for (const w of f.wrong) console.log(`wrong ${name}, ${w.prompt} ${JSON.stringify(w.answer)}, expected ${JSON.stringify(w.expected)}`);
    console.log(`${((performance.now() - start) / 1000).toFixed(1)} s`);
    if (values.keep) writeFileSync(join(dir, 'answers.json'), JSON.stringify(answers, null, 1));
  } finally {
    await service.dispose();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

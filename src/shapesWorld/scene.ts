/**
 * One scene of the shapes world, drawn from (seed, index) alone: layout, pixels, PNG and ground truth.
 */
import { badInput } from '../core/errors';
import { matchedForms } from './captions';
import { formatCaption } from './captionForm';
import { hardNegatives } from './negatives';
import { chooseKinds, drawBackground, placeObjects } from './placement';
import { randInt, sceneRng } from './prng';
import { encodePng, renderScene } from './render';
import type { SceneTruth } from './types';
import { sameKind, type ObjectKind } from './vocab';

/** How many objects a scene may hold. */
export type ObjectCount = 1 | 2 | 3;

/** The smallest image side the contract allows, in pixels. */
export const MIN_SIZE = 64;
/** The largest image side the contract allows, in pixels. */
export const MAX_SIZE = 512;

/** What to draw. Everything not given is drawn from the scene's own random stream. */
export interface SceneOptions {
  /** Any integer 0..2^32-1; with `index` it fixes the scene. */
  seed: number;
  /** The scene's number within its set, from 0. */
  index: number;
  /** Image side in pixels, 64..512; drawn uniformly from that range when absent. */
  size?: number;
  /** Exact object count; drawn from 1..3 (at least the number of `include`d kinds) when absent. */
  objects?: ObjectCount;
  /** Anti-alias edges by 4x4 supersampling (default true). */
  antialias?: boolean;
  /** (colour, shape) pairs the scene must hold, e.g. a red circle for a demo image; distinct, at most 3. */
  include?: readonly ObjectKind[];
}

/** A generated scene: its PNG, the raw RGB pixels the PNG encodes (row-major), and its ground truth. */
export interface GeneratedScene {
  png: Buffer;
  pixels: Buffer;
  truth: SceneTruth;
}

/** Random streams of one scene, kept apart so that one purpose's draws never shift another's. */
const STREAM = { layout: 0, noise: 1, negatives: 2 } as const;

/** Draws one scene. Deterministic: the same options always give the same bytes. */
export async function generateScene(options: SceneOptions): Promise<GeneratedScene> {
  const { seed, index, antialias = true, include = [] } = options;
  checkOptions(options, include);
  const layoutRng = sceneRng(seed, index, STREAM.layout);
  const size = options.size ?? randInt(layoutRng, MIN_SIZE, MAX_SIZE);
  const count = options.objects ?? randInt(layoutRng, Math.max(1, include.length), 3);
  const background = drawBackground(layoutRng);
  const objects = placeObjects(layoutRng, size, chooseKinds(layoutRng, count, include));
  const layout = { size, background, objects };
  const pixels = renderScene(layout, sceneRng(seed, index, STREAM.noise), antialias);
  const forms = matchedForms(layout);
  const truth: SceneTruth = {
    seed,
    index,
    antialias,
    ...layout,
    captions: forms.map(formatCaption),
    hardNegatives: hardNegatives(layout, forms, sceneRng(seed, index, STREAM.negatives)),
  };
  return { png: await encodePng(pixels, size), pixels, truth };
}

function checkOptions(options: SceneOptions, include: readonly ObjectKind[]): void {
  const { seed, index, size, objects } = options;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw badInput(`Seed ${seed} is not an integer from 0 to 4294967295.`, 'Pass a whole number as the seed.');
  }
  if (!Number.isInteger(index) || index < 0) {
    throw badInput(`Scene index ${index} is not a non-negative integer.`, 'Number scenes from 0.');
  }
  if (size !== undefined && (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE)) {
    throw badInput(`Scene size ${size} is outside ${MIN_SIZE}..${MAX_SIZE} px.`, 'Pick a whole number of pixels in that range.');
  }
  if (objects !== undefined && ![1, 2, 3].includes(objects)) {
    throw badInput(`Object count ${objects} is not 1, 2 or 3.`, 'The shapes world holds 1 to 3 objects per scene.');
  }
  if (include.length > (objects ?? 3) || include.some((k, i) => include.findIndex((o) => sameKind(o, k)) !== i)) {
    throw badInput(
      `The required objects (${include.map((k) => `${k.colour} ${k.shape}`).join(', ')}) do not fit the scene.`,
      'Name distinct (colour, shape) pairs, no more than the object count.',
    );
  }
}

/**
 * The shapes world's scene description and ground truth, as written to truth.json.
 */
import type { Colour, Rgb, Shape } from './vocab';

/** One drawn object. Box and centre are in pixels; the box's top-left is integral, its centre may be x.5. */
export interface SceneObject {
  colour: Colour;
  shape: Shape;
  /** The flat colour actually drawn (nominal ±20 per channel). */
  rgb: Rgb;
  /** Top-left corner and side of the object's square bounding box. */
  box: { x: number; y: number; size: number };
  centre: { x: number; y: number };
}

/** What the renderer and the matcher need: the image side, the background grey and the objects. */
export interface SceneLayout {
  /** Side of the square image in pixels. */
  size: number;
  /** The flat background before per-pixel noise. */
  background: Rgb;
  objects: SceneObject[];
}

/** A caption that does not match the scene, made by perturbing one that does. */
export interface HardNegative {
  caption: string;
  kind: 'colourSwap' | 'shapeSwap' | 'relationReversed' | 'positionWrong';
  /** The matched caption it perturbs. */
  of: string;
}

/** Everything known about one generated scene. */
export interface SceneTruth extends SceneLayout {
  seed: number;
  index: number;
  /** Whether edges were anti-aliased by supersampling. */
  antialias: boolean;
  /** Every caption of the contract's grammar that matches the scene. */
  captions: string[];
  hardNegatives: HardNegative[];
}

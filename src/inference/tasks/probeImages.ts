/**
 * The probe's images: preprocessed one at a time as the blocks need them (a set of 500 ViLT-sized tensors
 * would take almost 1 GB), with the running mean of all of them for the mean-image ablation, and their notes.
 * A file that is not a usable image (a text file, an SVG, a truncated PNG) is found only when it is loaded,
 * in the middle of a family's run: the first one makes the rest of the set be checked, and the run ends with
 * UnusableImages listing them all, so the probe can drop their rows and run once more on what is left.
 */
import { LensError } from '../../core/errors';
import { throwIfCancelled } from '../../core/progress';
import { requireSameSize } from './analysisParts';
import { preprocessImage, type PreprocessedImage } from '../images/preprocess';
import type { PreprocessorConfig } from '../model/preprocessorConfig';

const NOTED_IMAGES = 5;

/** Images of the set that cannot be used, by index, with what was wrong; thrown out of a family's probe. */
export class UnusableImages extends Error {
  /** @param reasons why, by image index */
  constructor(readonly reasons: ReadonlyMap<number, string>) {
    super(`${reasons.size} probe image(s) are not usable.`);
    this.name = 'UnusableImages';
  }
}

/** What an image error says was wrong, without its fix, and without the closing full stop. */
function whatWasWrong(error: LensError): string {
  const what = error.fix && error.message.endsWith(` ${error.fix}`) ? error.message.slice(0, -error.fix.length - 1) : error.message;
  return what.replace(/\.$/, '');
}

/** An image the user can fix (not found, not an image, over the pixel limit, ...): its row is skipped, not the probe. */
function isImageProblem(error: unknown): error is LensError {
  return error instanceof LensError && error.kind === 'badInput';
}

/** Preprocesses images by index and keeps the sum of their pixels. */
export class ProbeImages {
  private sum: Float64Array | undefined;
  private first: { path: string; image: PreprocessedImage } | undefined;
  private count = 0;
  /** Notes of the first few images that had any, as "path: note". */
  private readonly notes: string[] = [];
  /** How many images had notes. */
  private noted = 0;

  /** @param paths the distinct images, by index  @param signal cancels the check of the rest of the set */
  constructor(
    readonly paths: string[],
    private readonly config: PreprocessorConfig,
    private readonly maxPixels?: number,
    private readonly signal?: AbortSignal,
  ) {}

  private preprocess(index: number): Promise<PreprocessedImage> {
    return preprocessImage(this.paths[index], this.config, { maxPixels: this.maxPixels });
  }

  /**
   * Preprocesses image `index` and adds it to the mean; call once per image. An image that is not usable
   * throws UnusableImages with it and every other unusable image from `index` on.
   */
  async load(index: number): Promise<PreprocessedImage> {
    const path = this.paths[index];
    let image: PreprocessedImage;
    try {
      image = await this.preprocess(index);
    } catch (error) {
      if (!isImageProblem(error)) throw error;
      throw new UnusableImages(await this.unusableFrom(index, whatWasWrong(error)));
    }
    if (this.first) requireSameSize([this.first, { path, image }]);
    else this.first = { path, image };
    this.sum ??= new Float64Array(image.pixels.length);
    const sum = this.sum;
    image.pixels.forEach((v, k) => (sum[k] += v));
    this.count += 1;
    if (image.notes.length > 0 && this.noted++ < NOTED_IMAGES) this.notes.push(...image.notes.map((note) => `${path}: ${note}`));
    return image;
  }

  /** `first` (whose image failed with `reason`) and every later image that fails too, each preprocessed once. */
  private async unusableFrom(first: number, reason: string): Promise<Map<number, string>> {
    const reasons = new Map([[first, reason]]);
    for (let index = first + 1; index < this.paths.length; index++) {
      throwIfCancelled(this.signal);
      await this.preprocess(index).catch((error: unknown) => {
        if (!isImageProblem(error)) throw error;
        reasons.set(index, whatWasWrong(error));
      });
    }
    return reasons;
  }

  /** Loads images [start, end). */
  async loadRange(start: number, end: number): Promise<PreprocessedImage[]> {
    const images: PreprocessedImage[] = [];
    for (let i = start; i < end; i++) images.push(await this.load(i));
    return images;
  }

  /** The mean of every image loaded so far, as one preprocessed image. */
  mean(): PreprocessedImage {
    if (!this.sum || !this.first) throw new Error('ProbeImages.mean: no image was loaded.');
    const size = this.first.image.outputSize;
    const pixels = Float32Array.from(this.sum, (v) => v / this.count);
    return { pixels, outputSize: size, width: size.width, height: size.height, format: 'mean', notes: [] };
  }

  /** The notes, with a count of the images whose notes were left out. */
  summary(): string[] {
    const more = this.noted - NOTED_IMAGES;
    return more > 0 ? [...this.notes, `${more} more image(s) have notes like these.`] : this.notes;
  }
}

/**
 * The probe's images: preprocessed one at a time as the blocks need them (a set of 500 ViLT-sized tensors
 * would take almost 1 GB), with the running mean of all of them for the mean-image ablation, and their notes.
 */
import { requireSameSize } from './analysisParts';
import { preprocessImage, type PreprocessedImage } from '../images/preprocess';
import type { PreprocessorConfig } from '../model/preprocessorConfig';

const NOTED_IMAGES = 5;

/** Preprocesses images by index and keeps the sum of their pixels. */
export class ProbeImages {
  private sum: Float64Array | undefined;
  private first: { path: string; image: PreprocessedImage } | undefined;
  private count = 0;
  /** Notes of the first few images that had any, as "path: note". */
  private readonly notes: string[] = [];
  /** How many images had notes. */
  private noted = 0;

  /** @param paths the distinct images, by index */
  constructor(
    readonly paths: string[],
    private readonly config: PreprocessorConfig,
    private readonly maxPixels?: number,
  ) {}

  /** Preprocesses image `index` and adds it to the mean; call once per image. */
  async load(index: number): Promise<PreprocessedImage> {
    const path = this.paths[index];
    const image = await preprocessImage(path, this.config, { maxPixels: this.maxPixels });
    if (this.first) requireSameSize([this.first, { path, image }]);
    else this.first = { path, image };
    this.sum ??= new Float64Array(image.pixels.length);
    const sum = this.sum;
    image.pixels.forEach((v, k) => (sum[k] += v));
    this.count += 1;
    if (image.notes.length > 0 && this.noted++ < NOTED_IMAGES) this.notes.push(...image.notes.map((note) => `${path}: ${note}`));
    return image;
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

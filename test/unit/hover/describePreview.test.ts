// A generative model's hover: the description is generate()'s answer to the same prompt, the word chosen is the one
// with the highest mean image share among those with letters (found here from the generation's own figures), and
// its map lands on the thumbnail where each image token's region is (checked by hand on a two-token image).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { DESCRIBE_PROMPT, DESCRIBE_TOKENS, tokenHeat } from '../../../src/hover/describePreview';
import { previewMarkdown } from '../../../src/hover/hoverMarkdown';
import { renderPreview, THUMBNAIL_SIZE, type PreviewSettings } from '../../../src/hover/renderPreview';
import { InferenceService } from '../../../src/inference/service';
import type { GeneratedToken, ImageTokens } from '../../../src/shared/generationResult';

const IMAGE = 'media/samples/scene-1.png';
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'models/shapes-vlm' });
after(() => service.dispose());

const settings: PreviewSettings = {
  model: 'models/shapes-vlm', executionProvider: 'cpu', labels: ['red circle'], promptTemplates: ['a {label}'],
  rollout: { headFusion: 'mean', startLayer: 0, residual: true }, maxImagePixels: 1e6,
};

test('the hover of a generative model: its description and the map of its most image-grounded word', async () => {
  const preview = await renderPreview(service, IMAGE, undefined, settings);
  const reference = await service.generate({ images: [IMAGE], prompt: DESCRIBE_PROMPT, maxNewTokens: DESCRIBE_TOKENS });
  assert.ok(preview.description);
  assert.equal(preview.description.text, reference.answer.trim());
  const shares = reference.generated.map((t) => (/[a-z0-9]/i.test(t.text) ? t.imageShare.reduce((a, b) => a + b, 0) / t.imageShare.length : -1));
  const best = shares.indexOf(Math.max(...shares));
  assert.deepEqual([preview.description.word?.index, preview.description.word?.text], [best, reference.generated[best].text.trim()]);
  assert.ok(Math.abs((preview.description.word?.imageShare ?? 0) - shares[best]) < 1e-12);
  const png = Buffer.from((preview.description.mapUrl ?? '').replace(/^data:image\/png;base64,/, ''), 'base64');
  const { width, height } = await sharp(png).metadata();
  assert.deepEqual([width, height], [THUMBNAIL_SIZE, THUMBNAIL_SIZE]);
  assert.deepEqual([preview.labels, preview.model], [[], 'shapes-vlm']);
  const markdown = previewMarkdown('/w/scene-1.png', undefined, preview);
  assert.ok(markdown.includes(`Description: “${reference.answer.trim()}”`), markdown.slice(0, 400));
  assert.match(markdown, /Most image-grounded word: “.+” \(\d+\.\d% of its attention on the image, mean over layers\)/);
  assert.equal(markdown.match(/!\[/g)?.length, 1);
});

test('a token map lands on the thumbnail pixels of each token region, scaled to its range', () => {
  // A 200 x 100 image: its centre square is x 50..150. Two tokens: the left half of that square (value 1) and the
  // right half (value 3); on a 4-pixel thumbnail each pixel is 25 image pixels, so columns 0-1 are the first token.
  const image = { width: 200, height: 100, regions: [[50, 0, 100, 100], [100, 0, 150, 100]], tiles: [{ rows: 1, cols: 2, box: [0, 0, 200, 100], global: false, tokens: [0, 2] }] } as unknown as ImageTokens;
  const token = { map: [[1, 3]] } as unknown as GeneratedToken;
  assert.deepEqual(Array.from(tokenHeat(token, image, 0, 4)), [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
  // A split image uses its whole-image tile alone: the tile token 0 (value 9, top-left quarter) is not drawn, the
  // global tile's tokens 1 (value 2, the left half) and 2 (value 4, the right half's top) are; the rest stays 0.
  const split = { ...image, regions: [[50, 0, 100, 50], [0, 0, 100, 100], [100, 0, 200, 50]], tiles: [{ global: false, tokens: [0, 1] }, { global: true, tokens: [1, 3] }] } as unknown as ImageTokens;
  const heat = tokenHeat({ map: [[9, 2, 4]] } as unknown as GeneratedToken, split, 0, 4);
  assert.deepEqual(Array.from(heat), [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
});

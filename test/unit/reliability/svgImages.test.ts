// Issue 19 item 3: an SVG saved under an image name went to librsvg, which pulled a sibling `.env` (XInclude) and
// sibling images into the picture and into the self-contained HTML report, and ran a 7000 x 7000 blur for minutes.
// SVG is refused by content, whatever the name (docs/reliability.md has the decision); raster files still decode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import { parsePreprocessorConfig } from '../../../src/inference/model/preprocessorConfig';
import { mmlens } from '../../support/mmlens';

const cfg = parsePreprocessorConfig({ size: 32, crop_size: 32 });
const SECRET = 'API_KEY=do-not-leak-4f1c';

/** The attacks of the issue, each under an image file name. */
function attacks(dir: string): Record<string, string | Buffer> {
  writeFileSync(join(dir, '.env'), SECRET);
  const xinclude = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude" width="400" height="100"><text x="0" y="50" font-size="20"><xi:include href=".env" parse="text"/></text></svg>`;
  const sibling = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64"><image xlink:href="other.png" width="64" height="64"/></svg>`;
  const blur = `<svg xmlns="http://www.w3.org/2000/svg" width="7000" height="7000"><filter id="f"><feGaussianBlur stdDeviation="3000"/></filter><rect width="7000" height="7000" filter="url(#f)"/></svg>`;
  return {
    'xinclude.png': xinclude,
    'sibling.jpg': sibling,
    'blur.webp': blur,
    'comment-first.gif': `<!-- ${'x'.repeat(3000)} -->\n${sibling}`,
    'bom.png': `\ufeff  ${sibling}`,
    'compressed.png': gzipSync(Buffer.from(blur)),
  };
}

test('SVG under any image name, plain, after a long comment, with a BOM or gzipped, is refused at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-svg-'));
  try {
    for (const [name, content] of Object.entries(attacks(dir))) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const began = performance.now();
      await assert.rejects(preprocessImage(path, cfg), (e: Error) => e.name === 'LensError' && /is an SVG \(or other XML\) drawing, which is not decoded.*Export the drawing as PNG/.test(e.message), name);
      assert.ok(performance.now() - began < 2000, `${name} was refused in under 2 s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mmlens analyze --html on an SVG named .png exits 2 and writes no report, so nothing beside it leaks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-svg-'));
  try {
    const image = join(dir, 'xinclude.png');
    writeFileSync(image, attacks(dir)['xinclude.png']);
    const report = join(dir, 'report.html');
    const run = mmlens('analyze', '--image', image, '--text', 'a red circle', '--html', report);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /xinclude\.png is an SVG/);
    assert.equal(existsSync(report), false);
    assert.ok(!run.stdout.includes(SECRET) && !run.stderr.includes(SECRET));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

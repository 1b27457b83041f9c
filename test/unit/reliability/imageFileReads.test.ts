// Issue 19 item 2: a JPEG rewritten while it was decoded killed the process with SIGBUS (exit 135, no message):
// libvips mapped the file, and the mapping outlived the bytes when the file shrank. Images are now read into
// memory through one descriptor before decoding. A child process decodes the way the extension host does while
// another child truncates and rewrites the file; the decoder must end normally, each decode a result or an error.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const DECODES = 300;

/** A JPEG of noise, large enough (about 1.4 MB) that decoding it takes a while. */
async function noiseJpeg(path: string): Promise<void> {
  const [width, height] = [1600, 1200];
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toFile(path);
}

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  let stdout = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout })));
}

test('decoding a JPEG that is rewritten meanwhile never kills the process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-rewrite-'));
  try {
    const source = join(dir, 'source.jpg');
    const victim = join(dir, 'victim.jpg');
    await noiseJpeg(source);
    copyFileSync(source, victim);
    const rewrite = `const fs = require('node:fs'); const bytes = fs.readFileSync(${JSON.stringify(source)});
      for (;;) { fs.truncateSync(${JSON.stringify(victim)}, 0); fs.writeFileSync(${JSON.stringify(victim)}, bytes.subarray(0, bytes.length >> 1)); fs.writeFileSync(${JSON.stringify(victim)}, bytes); }`;
    const decode = `const { preprocessImage } = require('./src/inference/images/preprocess');
      const { parsePreprocessorConfig } = require('./src/inference/model/preprocessorConfig');
      (async () => { const cfg = parsePreprocessorConfig({ size: 224, crop_size: 224 }); const seen = { decoded: 0, refused: 0 };
        for (let i = 0; i < ${DECODES}; i++) { try { await preprocessImage(${JSON.stringify(victim)}, cfg); seen.decoded++; } catch (e) { if (e.name !== 'LensError') { console.error('not a LensError: ' + String(e.stack ?? e).slice(0, 600)); process.exit(1); } seen.refused++; } }
        console.log(JSON.stringify(seen)); })();`;
    const rewriter = spawn(process.execPath, ['-e', rewrite], { stdio: 'ignore' });
    after(() => rewriter.kill('SIGKILL'));
    const decoder = exited(spawn(process.execPath, ['--import', 'tsx', '-e', decode], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const result = await decoder;
    // Its loop never yields to the event loop, so only SIGKILL stops it.
    const stopped = exited(rewriter);
    rewriter.kill('SIGKILL');
    await stopped;
    assert.equal(result.signal, null, `the decoder died of ${result.signal}`);
    assert.equal(result.code, 0);
    const seen = JSON.parse(result.stdout) as { decoded: number; refused: number };
    assert.equal(seen.decoded + seen.refused, DECODES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file larger than any image within the pixel limit is refused before it is read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-bigfile-'));
  try {
    const path = join(dir, 'huge.png');
    // Sparse: 20 MB long, no blocks written. With a limit of 1,000 pixels an image needs at most 8,000 bytes of
    // pixels plus 16 MiB of metadata.
    writeFileSync(path, '');
    truncateSync(path, 20_000_000);
    const { readImageFile } = await import('../../../src/inference/images/imageFile');
    await assert.rejects(readImageFile(path, 1000), (e: Error) => e.name === 'LensError' && /huge\.png: the file is 20000000 bytes, more than an image within the pixel limit can need \(16785216\)/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});


// The resize against Pillow itself: test/fixtures/pil-resize holds Pillow 9.4's output for every filter and the
// shortest-edge resize + centre crop of CLIPImageProcessor (tools/fixtures/pilResize.py makes them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { pilResizeRgb } from '../../../src/inference/images/pilResample';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import type { ResampleFilter } from '../../../src/inference/model/preprocessorConfig';
import { identityConfig } from './imageFixtures';

const DIR = join(__dirname, '..', '..', 'fixtures', 'pil-resize');

interface Case {
  name: string;
  kind: 'resize' | 'clip';
  source: string;
  expected: string;
  filter: ResampleFilter;
  width?: number;
  height?: number;
  shortestEdge?: number;
  crop?: number;
}

const { cases } = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as { cases: Case[] };

async function rgb(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(join(DIR, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

function differences(got: Uint8Array, expected: Uint8Array): string {
  let count = 0;
  let most = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - expected[i]);
    if (d > 0) count++;
    most = Math.max(most, d);
  }
  return `${count} of ${got.length} bytes differ, by up to ${most}`;
}

test('every filter, enlarging, shrinking and along one axis only, equals Pillow byte for byte', async () => {
  const resizes = cases.filter((c) => c.kind === 'resize');
  assert.equal(new Set(resizes.map((c) => c.filter)).size, 6);
  for (const c of resizes) {
    const source = await rgb(c.source);
    const expected = await rgb(c.expected);
    const got = pilResizeRgb(source.data, source, { width: c.width as number, height: c.height as number }, c.filter);
    assert.equal(got.length, expected.data.length, c.name);
    assert.ok(Buffer.from(got).equals(Buffer.from(expected.data)), `${c.name}: ${differences(got, expected.data)}`);
  }
});

test('a window of the resize equals the same part of the whole resize, for every filter', async () => {
  const source = await rgb('noise-37x23.png');
  const to = { width: 91, height: 57 };
  const window = { left: 13, top: 5, width: 40, height: 31 };
  for (const filter of ['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming'] as ResampleFilter[]) {
    const whole = pilResizeRgb(source.data, source, to, filter);
    const part = pilResizeRgb(source.data, source, to, filter, window);
    for (let y = 0; y < window.height; y++) {
      const from = ((window.top + y) * to.width + window.left) * 3;
      assert.deepEqual([...part.subarray(y * window.width * 3, (y + 1) * window.width * 3)], [...whole.subarray(from, from + window.width * 3)], `${filter} row ${y}`);
    }
  }
  assert.throws(() => pilResizeRgb(source.data, source, to, 'bicubic', { ...window, left: 60 }), RangeError);
});

test("preprocessImage's resize and centre crop equal CLIPImageProcessor's (Pillow resize, HF crop), enlarging and shrinking", async () => {
  const pipelines = cases.filter((c) => c.kind === 'clip');
  assert.ok(pipelines.some((c) => c.shortestEdge === 224 && c.source === 'noise-37x23.png'), 'the 37x23 image enlarged to 224 (the upscaling case)');
  for (const c of pipelines) {
    const crop = { width: c.crop as number, height: c.crop as number };
    const cfg = identityConfig({ resize: true, shortestEdge: c.shortestEdge as number, resample: c.filter, centerCrop: true, cropSize: crop });
    const out = await preprocessImage(join(DIR, c.source), cfg);
    const expected = await rgb(c.expected);
    assert.deepEqual(out.outputSize, crop, c.name);
    // identityConfig keeps 0..255 values: the tensor is the crop's bytes, plane by plane.
    const plane = crop.width * crop.height;
    const got = new Uint8Array(plane * 3);
    for (let i = 0; i < plane; i++) for (let ch = 0; ch < 3; ch++) got[i * 3 + ch] = out.pixels[ch * plane + i];
    assert.ok(Buffer.from(got).equals(Buffer.from(expected.data)), `${c.name}: ${differences(got, expected.data)}`);
  }
});

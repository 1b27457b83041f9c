import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchAlignment } from '../../../src/analysis/alignment';
import { LensError } from '../../../src/core/errors';
import { assertClose } from './helpers';

test('patch alignment is the cosine of each patch with the text, worked by hand', () => {
  const patches = new Float32Array([1, 0, 0, 2, -1, -1, 0, 0, 3, 3]);
  const text = new Float32Array([1, 1]);
  assertClose(patchAlignment(patches, text, 2), [Math.SQRT1_2, Math.SQRT1_2, -1, 0, 1]);
});

test('patch alignment rejects a text embedding of the wrong width', () => {
  assert.throws(() => patchAlignment(new Float32Array(4), new Float32Array(3), 2), LensError);
});

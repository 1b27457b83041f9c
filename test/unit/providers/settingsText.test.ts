// Zero-shot label lists as one editable line, and the untrusted-workspace notice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelList, parseLabelList } from '../../../src/shared/labelList';
import { ignoredSettings, trustNoticeMessage } from '../../../src/shared/trustNotice';
import { UNTRUSTED_NOTE } from '../../../src/shared/lensStatus';

test('labels: split on commas and newlines, trimmed, empties and repeats dropped, order kept', () => {
  assert.deepEqual(parseLabelList(' red circle, blue square ,,\nred circle, green cross '), ['red circle', 'blue square', 'green cross']);
  assert.deepEqual(parseLabelList(' , '), []);
});

test('labels: formatting then parsing gives the labels back', () => {
  const labels = ['a dog', 'a cat', 'a car'];
  assert.equal(formatLabelList(labels), 'a dog, a cat, a car');
  assert.deepEqual(parseLabelList(formatLabelList(labels)), labels);
});

test('ignored settings: every level whose value differs from the one in effect', () => {
  const ignored = ignoredSettings({
    'multimodalLens.model': { levels: { workspaceValue: '/w/model', globalValue: '/u/model' }, effective: '' },
    'multimodalLens.executionProvider': { levels: { globalValue: 'cpu', workspaceFolderValue: 'cuda' }, effective: 'cpu' },
    'multimodalLens.maxImageMegapixels': { levels: {}, effective: 50 },
    other: { levels: undefined, effective: '' },
  });
  assert.deepEqual(ignored, [
    { key: 'multimodalLens.model', levels: ['user', 'workspace'] },
    { key: 'multimodalLens.executionProvider', levels: ['folder'] },
  ]);
});

test('trust notice: none without ignored settings; otherwise names each with its levels', () => {
  assert.equal(trustNoticeMessage([]), undefined);
  assert.equal(
    trustNoticeMessage([{ key: 'multimodalLens.model', levels: ['workspace'] }]),
    `${UNTRUSTED_NOTE} Ignored here: multimodalLens.model (workspace). Trust the workspace to use them.`,
  );
});

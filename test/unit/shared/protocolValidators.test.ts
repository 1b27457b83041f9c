/**
 * The runtime checks of webview messages: every valid shape passes, and each malformed or unknown one is
 * dropped with a log line naming the problem (never thrown).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Msg } from '../../../src/shared/protocol';
import { MAX_TEXTS, MAX_URIS, messageProblem, parseFromWebview, safeFileName } from '../../../src/shared/protocolValidators';

const valid: unknown[] = [
  { type: 'ready', requestId: 0 },
  { type: 'setTexts', labels: ['a red circle', ''], template: 'a photo of a {label}' },
  { type: 'addImages', uris: ['file:///tmp/a.png'] },
  { type: 'pickImages' },
  { type: 'removeImage', index: 2 },
  { type: 'loadManifest' },
  { type: 'selectCell', requestId: 4, image: 0, text: 1 },
  { type: 'askCell', image: 3, text: 0 },
  { type: 'runProbe' },
  { type: 'cancel' },
  { type: 'analyzePrompt', prompt: 'a cat' },
  { type: 'export', requestId: 1, format: 'png', fileName: 'matrix.png', content: 'data:image/png;base64,iVBORw0KGgo=' },
  { type: 'export', requestId: 1, format: 'svg', fileName: 'matrix.svg', content: '<svg/>' },
  { type: 'export', requestId: 1, format: 'json', fileName: 'm.json', content: '{}' },
  { type: 'computeOcclusion', requestId: 2, image: 0, text: 3 },
  { type: 'computeOcclusion', requestId: 2, image: 0, text: 3, method: 'occlusion' },
  { type: 'computeOcclusion', requestId: 2, image: 0, text: 3, method: 'rise' },
  { type: 'openMethodsDoc', section: 'Modality ablation' },
  { type: 'openMethodsDoc', section: 'MM-SHAP (`probe --mm-shap N`, `analyze --mm-shap`)' },
  { type: 'openEvaluationCase', index: 4, method: 'maskclip' },
];

const malformed: [string, unknown][] = [
  ['null', null],
  ['a string', 'ready'],
  ['an array', [{ type: 'ready', requestId: 1 }]],
  ['no type', { requestId: 1 }],
  ['unknown type', { type: 'runShell', command: 'rm -rf /' }],
  ['a prototype key as type', { type: 'constructor' }],
  // Issue 19 item 9: String() of this type threw inside the validator.
  ['a type whose toString is not a function', { type: { toString: 'x' } }],
  ['a type object without a prototype', { type: Object.create(null) }],
  // Issue 19 item 9: `every` skipped the holes, so a sparse list of "strings" passed.
  // eslint-disable-next-line no-sparse-arrays
  ['a sparse label list', { type: 'setTexts', labels: [, , 'a'], template: '' }],
  ['a sparse uri list', { type: 'addImages', uris: new Array(3) }],
  // Issue 19 item 4: each list within bounds, but expanded through a template of 142 `{label}`s: 3.6 G characters.
  ['labels that expand past the limit', { type: 'setTexts', labels: Array(256).fill('x'.repeat(100_000)), template: '{label}'.repeat(142) }],
  ['a host-to-webview type', { type: 'data', data: {} }],
  ['ready without id', { type: 'ready' }],
  ['ready with a fractional id', { type: 'ready', requestId: 1.5 }],
  ['ready with a negative id', { type: 'ready', requestId: -1 }],
  ['ready with a string id', { type: 'ready', requestId: '1' }],
  ['labels not an array', { type: 'setTexts', labels: 'a cat', template: '' }],
  ['a label not a string', { type: 'setTexts', labels: ['a', 3], template: '' }],
  ['too many labels', { type: 'setTexts', labels: Array(MAX_TEXTS + 1).fill('a'), template: '' }],
  ['a label too long', { type: 'setTexts', labels: ['x'.repeat(100_001)], template: '' }],
  ['template missing', { type: 'setTexts', labels: [] }],
  ['uris not strings', { type: 'addImages', uris: [{ path: '/a.png' }] }],
  ['too many uris', { type: 'addImages', uris: Array(MAX_URIS + 1).fill('file:///a.png') }],
  ['index negative', { type: 'removeImage', index: -1 }],
  ['index NaN', { type: 'removeImage', index: Number.NaN }],
  ['an answer cell without its text', { type: 'askCell', image: 0 }],
  ['an answer cell at a fractional image', { type: 'askCell', image: 0.5, text: 0 }],
  ['cell indices strings', { type: 'selectCell', requestId: 1, image: '0', text: 0 }],
  ['cell without id', { type: 'selectCell', image: 0, text: 0 }],
  ['prompt a number', { type: 'analyzePrompt', prompt: 42 }],
  ['export of an unknown format', { type: 'export', requestId: 1, format: 'exe', fileName: 'a.exe', content: '' }],
  ['export png that is not a PNG data URL', { type: 'export', requestId: 1, format: 'png', fileName: 'a.png', content: 'data:text/html;base64,PHNjcmlwdD4=' }],
  ['export with a path in the file name', { type: 'export', requestId: 1, format: 'json', fileName: '../../.bashrc', content: '{}' }],
  ['export with a Windows path', { type: 'export', requestId: 1, format: 'json', fileName: 'C:\\x.json', content: '{}' }],
  ['export with a hidden file name', { type: 'export', requestId: 1, format: 'json', fileName: '.vscode', content: '{}' }],
  ['export with a control character', { type: 'export', requestId: 1, format: 'json', fileName: 'a\u0000.json', content: '{}' }],
  ['export without id', { type: 'export', format: 'json', fileName: 'a.json', content: '{}' }],
  ['occlusion of a negative text', { type: 'computeOcclusion', requestId: 1, image: 0, text: -1 }],
  ['occlusion without id', { type: 'computeOcclusion', image: 0, text: 0 }],
  ['occlusion by an unknown method', { type: 'computeOcclusion', requestId: 1, image: 0, text: 0, method: 'gradcam' }],
  ['docs link to a heading the page does not link', { type: 'openMethodsDoc', section: 'Anything ../../etc/passwd' }],
  ['docs link without a section', { type: 'openMethodsDoc' }],
  ['an evaluation case at a negative index', { type: 'openEvaluationCase', index: -1, method: 'rollout' }],
  ['an evaluation case of an unknown method', { type: 'openEvaluationCase', index: 0, method: 'gradcam' }],
  ['an evaluation case without its method', { type: 'openEvaluationCase', index: 0 }],
  ['export content not a string', { type: 'export', requestId: 1, format: 'json', fileName: 'a.json', content: { a: 1 } }],
];

test('every valid message shape passes unchanged', () => {
  for (const message of valid) {
    assert.equal(messageProblem(message), null, JSON.stringify(message));
    assert.equal(parseFromWebview(message, () => assert.fail('logged a valid message')), message);
  }
});

test('each malformed or unknown message is dropped and logged, not thrown', () => {
  for (const [what, message] of malformed) {
    const log: string[] = [];
    assert.equal(parseFromWebview(message, (line) => log.push(line)), undefined, what);
    assert.equal(log.length, 1, what);
    assert.match(log[0], /^Dropped a webview message: .+\.$/, what);
  }
});

test('the problem names the field that was wrong', () => {
  assert.match(messageProblem({ type: 'runShell' })!, /unknown type "runShell"/);
  assert.match(messageProblem({ type: { toString: 'x' } })!, /type must be a string, got object/);
  assert.match(messageProblem({ type: 'selectCell', requestId: 1, image: -1, text: 0 })!, /image and text/);
  assert.match(messageProblem({ type: 'export', requestId: 1, format: 'json', fileName: 'a/b.json', content: '' })!, /fileName/);
});

test('a view drops message types it does not use', () => {
  const log: string[] = [];
  assert.equal(parseFromWebview({ type: Msg.RunProbe }, (line) => log.push(line), [Msg.Ready, Msg.AnalyzePrompt]), undefined);
  assert.deepEqual(log, ['Dropped a webview message: type runProbe is not used by this view.']);
  assert.deepEqual(parseFromWebview({ type: Msg.Ready, requestId: 3 }, () => assert.fail(), [Msg.Ready]), { type: 'ready', requestId: 3 });
});

test('safeFileName turns any name into one the validator accepts', () => {
  assert.equal(safeFileName('<img src=x onerror=alert(1)>.png-lens.png'), '_img src=x onerror=alert(1)_.png-lens.png');
  assert.equal(safeFileName('../../etc/passwd'), '__.._etc_passwd');
  assert.equal(safeFileName('C:\\a\u0000b.json'), 'C__a_b.json');
  assert.equal(safeFileName(''), 'export');
  for (const name of ['<img src=x onerror=alert(1)>.png', '../../x', '.hidden', 'a'.repeat(500), 'ok.json']) {
    assert.equal(messageProblem({ type: 'export', requestId: 1, format: 'json', fileName: safeFileName(name), content: '' }), null, name);
  }
});

test('SetTexts is bounded by what its labels expand to in the template, computed by hand at the edge', () => {
  // Each label replaces the whole template: 256 x 7,800 = 1,996,800 characters passes; 256 x 7,900 = 2,022,400 does not.
  assert.equal(messageProblem({ type: 'setTexts', labels: Array(256).fill('x'.repeat(7800)), template: '{label}' }), null);
  assert.match(messageProblem({ type: 'setTexts', labels: Array(256).fill('x'.repeat(7900)), template: '{label}' })!, /make 2022400 characters, more than 2000000/);
});

// Repo ids, revisions and the endpoint/token environment, checked before any request is made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { hubAccessFromEnv } from '../../../src/download/hubHttp';
import { parseRepoRef, repoFolderName, repoId } from '../../../src/download/repoRef';

test('owner/name, owner/name@revision and a pasted repo page URL name the same repo', () => {
  assert.deepEqual(parseRepoRef('Xenova/clip-vit-base-patch32'), { owner: 'Xenova', name: 'clip-vit-base-patch32', revision: 'main' });
  assert.deepEqual(parseRepoRef('  Xenova/clip-vit-base-patch32@v1.0 '), { owner: 'Xenova', name: 'clip-vit-base-patch32', revision: 'v1.0' });
  assert.deepEqual(parseRepoRef('https://huggingface.co/Xenova/clip-vit-base-patch32'), { owner: 'Xenova', name: 'clip-vit-base-patch32', revision: 'main' });
  assert.deepEqual(parseRepoRef('https://huggingface.co/openai/clip-vit-base-patch32/tree/refs%2Fpr%2F5'), { owner: 'openai', name: 'clip-vit-base-patch32', revision: 'refs/pr/5' });
  assert.equal(parseRepoRef('a/b', 'dev').revision, 'dev');
  assert.equal(parseRepoRef('a/b@tag', 'dev').revision, 'tag');
});

test('the id and the folder name keep owner and name apart without nesting', () => {
  const ref = parseRepoRef('google/siglip-base-patch16-224');
  assert.equal(repoId(ref), 'google/siglip-base-patch16-224');
  assert.equal(repoFolderName(ref), 'google__siglip-base-patch16-224');
});

test('invalid ids are user errors that show the expected form', () => {
  for (const bad of ['clip-vit-base-patch32', 'a/b/c', '/name', 'owner/', 'own er/name', 'owner/na--me', 'owner/..', '-owner/name', 'owner/name.', '../etc/passwd', `a/${'x'.repeat(96)}`]) {
    assert.throws(() => parseRepoRef(bad), (e: unknown) => e instanceof LensError && e.kind === 'badInput' && e.message.includes('owner/name'), bad);
  }
  for (const bad of ['a/b@..', 'a/b@has space', 'a/b@x:y']) {
    assert.throws(() => parseRepoRef(bad), (e: unknown) => e instanceof LensError && e.message.includes('not a valid revision'), bad);
  }
});

test('HF_ENDPOINT and HF_TOKEN are read as huggingface_hub reads them', () => {
  assert.deepEqual(hubAccessFromEnv({}), { endpoint: 'https://huggingface.co', token: undefined });
  assert.deepEqual(hubAccessFromEnv({ HF_ENDPOINT: 'https://hf-mirror.example/ ', HF_TOKEN: ' hf_abc ' }), { endpoint: 'https://hf-mirror.example', token: 'hf_abc' });
  assert.deepEqual(hubAccessFromEnv({ HF_ENDPOINT: '', HF_TOKEN: '' }), { endpoint: 'https://huggingface.co', token: undefined });
});

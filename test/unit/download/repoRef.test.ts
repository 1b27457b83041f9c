// Repo ids, revisions and the endpoint/token environment, checked before any request is made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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
  assert.equal(repoFolderName(parseRepoRef('laion/CLIP_ViT-B_32@main')), 'laion__CLIP_ViT-B_32', 'single underscores and an explicit main keep the old folder');
});

test('ids that shared a folder get their own, and each revision gets one (issue 19 item 6)', () => {
  const folder = (id: string) => repoFolderName(parseRepoRef(id));
  assert.equal(folder('a__b/c'), 'a++b__c');
  assert.equal(folder('a/b__c'), 'a__b++c');
  assert.equal(folder('a_/b'), 'a+__b');
  assert.equal(folder('a/_b'), 'a__+b');
  assert.equal(folder('o/m@v2'), 'o__m@v2');
  assert.equal(folder('o/m@V2.'), 'o__m@%562%2e');
  assert.equal(folder('https://huggingface.co/o/m/tree/refs%2Fpr%2F5'), 'o__m@refs%2fpr%2f5');
  assert.equal(folder('o/m@r%é'), 'o__m@r%25%c3%a9');
  const long = `b${'x'.repeat(200)}`;
  assert.equal(folder(`o/m@${long}`), `o__m@%%${createHash('sha256').update(long).digest('hex').slice(0, 32)}`);

  // Every owner and name of up to 4 characters over a, _ and -, with a few revisions: no two share a folder,
  // not even on a file system that ignores case (the Hub itself treats ids without regard to case).
  const grow = (p: string): string[] => (p.length === 4 ? [p] : [p, ...['a', '_', '-'].flatMap((c) => grow(p + c))]);
  const parts = grow('').filter((p) => { try { parseRepoRef(`${p}/x`); return true; } catch { return false; } });
  const seen = new Map<string, string>();
  for (const owner of parts) {
    for (const name of parts) {
      for (const revision of ['main', 'v1', 'V1', 'v1.', 'a/b', 'a%2fb', 'a_b']) {
        const key = repoFolderName({ owner, name, revision }).toLowerCase();
        const id = `${owner}/${name}@${revision}`;
        assert.equal(seen.get(key), undefined, `${id} and ${seen.get(key)} share ${key}`);
        seen.set(key, id);
      }
    }
  }
  assert.ok(parts.length > 20 && seen.size === parts.length ** 2 * 7, `${parts.length} parts, ${seen.size} folders`);
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

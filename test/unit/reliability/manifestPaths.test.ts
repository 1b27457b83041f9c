// Issue 19: a manifest (from a cloned repository, say) may only name images inside its own folder, or inside
// the --image-root given. Rows whose image resolves, by real path, outside it (an absolute path elsewhere,
// "../" escapes, a symbolic link inside the folder that points out) are skipped and counted, in JSONL, CSV and
// COCO alike; `allowOutsidePaths` (--allow-outside-paths) reads them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest, type ManifestOptions } from '../../../src/inference/datasets/manifest';
import { rejectsLens } from './lensAssert';

let work: string;
/** The manifests' folder, with imgs/a.png, imgs/b.png, a link to a secret outside, and a linked folder outside. */
let set: string;
/** A file outside the manifests' folder. */
let secret: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-manifestpaths-'));
  set = join(work, 'repo', 'set');
  mkdirSync(join(set, 'imgs'), { recursive: true });
  for (const name of ['a.png', 'b.png']) writeFileSync(join(set, 'imgs', name), 'not read by the reader');
  mkdirSync(join(work, 'private'));
  secret = join(work, 'private', 'secret.png');
  writeFileSync(secret, 'a private key, say');
  symlinkSync(secret, join(set, 'imgs', 'innocent.png'));
  symlinkSync(join(work, 'private'), join(set, 'linked'));
  // A link that stays inside is fine.
  symlinkSync(join(set, 'imgs', 'a.png'), join(set, 'imgs', 'alias.png'));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The image paths every format is given, in order: two inside, then five that point outside. */
const rows = () => [
  ['imgs/a.png', 'inside'],
  [join(set, 'imgs', 'b.png'), 'absolute but inside'],
  ['imgs/alias.png', 'a link that stays inside'],
  ['imgs/../imgs/b.png', 'a ".." that stays inside'],
  ['../../private/secret.png', 'a ".." escape'],
  [secret, 'absolute, outside'],
  ['imgs/innocent.png', 'a link to a file outside'],
  ['linked/secret.png', 'through a linked folder outside'],
  ['../../private/absent.png', 'outside and absent'],
];

const manifests: Record<string, () => string> = {
  jsonl: () => {
    const path = join(set, 'pairs.jsonl');
    writeFileSync(path, rows().map(([image, caption]) => JSON.stringify({ image, caption })).join('\n'));
    return path;
  },
  csv: () => {
    const path = join(set, 'pairs.csv');
    writeFileSync(path, `image,caption\n${rows().map(([image, caption]) => `"${image}","${caption.replace(/"/g, '""')}"`).join('\n')}\n`);
    return path;
  },
  coco: () => {
    const path = join(set, 'captions.json');
    const list = rows();
    writeFileSync(path, JSON.stringify({
      images: list.map(([image], id) => ({ id, file_name: image })),
      annotations: list.map(([, caption], id) => ({ image_id: id, caption })),
    }));
    return path;
  },
};

for (const [format, write] of Object.entries(manifests)) {
  test(`${format}: images outside the manifest's folder, by real path, are skipped and counted`, async () => {
    const path = write();
    const manifest = await readManifest({ path });
    assert.deepEqual(manifest.pairs.map((p) => p.caption), ['inside', 'absolute but inside', 'a link that stays inside', 'a ".." that stays inside']);
    assert.equal(manifest.outsideImages.count, 5);
    assert.equal(manifest.outsideImages.examples.length, 5);
    assert.match(manifest.outsideImages.examples[0], /^(line 5|line 6|annotations\[4\]): .*private[/\\]secret\.png$/);
    assert.match(manifest.outsideImages.examples[2], /innocent\.png \(real path .*private[/\\]secret\.png\)$/);
    assert.deepEqual(manifest.missingImages, { count: 0, examples: [] }, 'an absent file outside is not probed for: it counts as outside');
    // The secret's path never becomes a pair.
    assert.ok(manifest.pairs.every((p) => !p.image.includes('private') && !p.image.includes('innocent') && !p.image.includes('linked')));
  });

  test(`${format}: allowOutsidePaths reads them`, async () => {
    const manifest = await readManifest({ path: write(), allowOutsidePaths: true });
    assert.equal(manifest.pairs.length, 8);
    assert.equal(manifest.outsideImages.count, 0);
    assert.equal(manifest.missingImages.count, 1);
  });
}

test('the boundary is --image-root when given: paths relative to it, nothing outside it', async () => {
  const path = join(set, 'rooted.jsonl');
  writeFileSync(path, [['a.png', 'in root'], ['b.png', 'in root too'], ['../pairs.jsonl', 'beside the root'], [secret, 'outside']].map(([image, caption]) => JSON.stringify({ image, caption })).join('\n'));
  const manifest = await readManifest({ path, imageRoot: join(set, 'imgs') });
  assert.deepEqual(manifest.pairs.map((p) => p.caption), ['in root', 'in root too']);
  assert.equal(manifest.outsideImages.count, 2);
  // A root the user chose higher up takes in more: the whole work folder holds the secret.
  const wide = join(set, 'wide.jsonl');
  writeFileSync(wide, [[join(set, 'imgs', 'a.png'), 'a'], [secret, 'secret']].map(([image, caption]) => JSON.stringify({ image, caption })).join('\n'));
  assert.deepEqual((await readManifest({ path: wide, imageRoot: work })).pairs.map((p) => p.caption), ['a', 'secret']);
});

test('a manifest reached through a linked folder judges its images by real paths on both sides', async () => {
  const link = join(work, 'shortcut');
  symlinkSync(set, link);
  const path = join(link, 'pairs.jsonl');
  writeFileSync(path, [['imgs/a.png', 'a'], ['imgs/b.png', 'b'], ['imgs/innocent.png', 'secret']].map(([image, caption]) => JSON.stringify({ image, caption })).join('\n'));
  const manifest = await readManifest({ path });
  assert.deepEqual(manifest.pairs.map((p) => p.caption), ['a', 'b']);
  assert.equal(manifest.outsideImages.count, 1);
});

test('a manifest whose every image is outside: badInput naming the rows, the folder and the flag', async () => {
  const path = join(set, 'escape.jsonl');
  writeFileSync(path, [secret, '../../private/secret.png'].map((image) => JSON.stringify({ image, caption: 'x' })).join('\n'));
  const options: ManifestOptions = { path };
  await rejectsLens(readManifest(options), {
    kind: 'badInput',
    what: [/escape\.jsonl gives 0 usable/, /2 row\(s\) name images outside the folder .*set \(line 1: .*secret\.png; line 2: /],
    fix: /--allow-outside-paths/,
  });
});

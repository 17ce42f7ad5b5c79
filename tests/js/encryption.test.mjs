// Encryption at rest (issue 12.3): SpeakerId.create({ encryption }) keeps every stored sample as AES-GCM ciphertext
// (the contract suite runs every adapter behind the layer too: store-contract.test.mjs); the wrong key is refused
// with WrongKeyError and changes nothing; real speech, real file stores.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidArgumentError, ModelMismatchError, SpeakerId, WrongKeyError } from '../../web/src/index.mjs';
import { STORE_FILE } from '../../web/src/stores/file-store.mjs';
import { SHARED } from './helpers.mjs';

const flac = (spk, n) => readFileSync(`${SHARED}/audio/librispeech_test-other/${spk}/${spk}-${n}.flac`);
const ANN = ['1688', '142285-0000'];
const BOB = ['2414', '128291-0000'];
let dir, key, otherKey;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sid-encryption-'));
  const gen = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  [key, otherKey] = [await gen(), await gen()];
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Whether the store file holds the first 16 bytes of `embedding` as float32, as a plain store writes it.
function holds(file, embedding) {
  const needle = Buffer.from(embedding.buffer, embedding.byteOffset, 16);
  return readFileSync(file).includes(needle);
}

async function enrolled(store, encryption) {
  const sid = await SpeakerId.create({ store: { file: store }, ...(encryption && { encryption }) });
  try {
    await sid.enroll('ann', flac(...ANN));
    await sid.enroll('bob', flac(...BOB));
    return await sid.embed(flac(...ANN));
  } finally {
    await sid.dispose();
  }
}

test('the store file holds no embedding in the clear; the same key opens it, another is refused and changes nothing', async () => {
  const plain = join(dir, 'plain');
  const sealed = join(dir, 'sealed');
  const annPlain = await enrolled(plain);
  const ann = await enrolled(sealed, { key });
  assert.ok(holds(join(plain, STORE_FILE), annPlain), 'control: a plain store holds the embedding bytes');
  assert.ok(!holds(join(sealed, STORE_FILE), ann), 'the encrypted store does not');

  const again = await SpeakerId.create({ store: { file: sealed }, encryption: { key } });
  try {
    assert.deepEqual((await again.speakers()).map((s) => [s.name, s.samples]), [['ann', 1], ['bob', 1]]);
    assert.equal((await again.identify(flac('1688', '142285-0005'))).candidates[0].name, 'ann');
    assert.ok((await again.speakers())[0].speechSec > 1, 'the sample numbers come back too');
  } finally {
    await again.dispose();
  }
  const before = readFileSync(join(sealed, STORE_FILE));
  await assert.rejects(SpeakerId.create({ store: { file: sealed }, encryption: { key: otherKey } }), WrongKeyError);
  await assert.rejects(SpeakerId.create({ store: { file: sealed } }), ModelMismatchError, 'no key for an encrypted store');
  await assert.rejects(SpeakerId.create({ store: { file: plain }, encryption: { key } }), ModelMismatchError,
    'a key for a plain store');
  assert.deepEqual(readFileSync(join(sealed, STORE_FILE)), before, 'the refusals wrote nothing');
});

test('a passphrase opens its store on another SpeakerId; another passphrase is refused', async () => {
  const store = join(dir, 'passphrase');
  await enrolled(store, { passphrase: 'correct horse battery staple' });
  const sid = await SpeakerId.create({ store: { file: store }, encryption: { passphrase: 'correct horse battery staple' } });
  try {
    assert.equal((await sid.identify(flac('2414', '128291-0003'))).candidates[0].name, 'bob');
    // Exports are the plain profile blob (what a user takes elsewhere), importable without a key.
    const blob = await sid.exportProfiles();
    const plainCopy = await SpeakerId.create();
    try {
      await plainCopy.importProfiles(blob);
      assert.deepEqual((await plainCopy.speakers()).map((s) => s.name), ['ann', 'bob']);
    } finally {
      await plainCopy.dispose();
    }
  } finally {
    await sid.dispose();
  }
  await assert.rejects(SpeakerId.create({ store: { file: store }, encryption: { passphrase: 'Correct horse battery staple' } }),
    WrongKeyError);
});

test('bad encryption options are refused, saying what is accepted', async () => {
  const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const encryptOnly = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']);
  for (const bad of [null, 'secret', {}, { key: 'x' }, { passphrase: '' }, { key, passphrase: 'p' }, { key: hmac },
    { key: encryptOnly }]) {
    await assert.rejects(SpeakerId.create({ encryption: bad, lazy: true }), InvalidArgumentError, JSON.stringify(bad));
  }
});

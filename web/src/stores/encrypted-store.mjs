// Encryption at rest for any store adapter (SpeakerId.create({ encryption })): the adapter stores every sample as
// AES-GCM ciphertext and never sees an embedding or a sample's numbers. WebCrypto only (browsers, Node, Deno,
// workerd).
//
// A sample { embedding, durationSec, speechSec, createdAt } is sealed as
//   12-byte random IV || AES-GCM(key, IV, plaintext = dim float32 (LE) + 3 float64 (LE), AAD = "speaker-id/v1" + model
//   sha256) || 16-byte tag
// and handed to the inner adapter as a sample whose `embedding` carries those bytes, three per float32 value as the
// integer b0 + 256 b1 + 65536 b2 (exact in float32, so every adapter keeps them bit for bit), with durationSec,
// speechSec and createdAt 0. The inner adapter is bound to the model { id: `${id}+encrypted`, sha256: SHA-256 of
// (model sha256, the key's check value), dim: the sealed length }: a store of another key or model, or a plain
// one, is refused before anything is read or written: WrongKeyError for encrypted profiles of a model of this id
// and dim that this key cannot open (another key, or another model of the same id: the binding cannot tell which),
// ModelMismatchError for a plain store or another model's id or dim. The key's check value is AES-GCM of 16 zero bytes under an all-zero IV,
// used for nothing else (every record gets a random IV).
//
// Not protected: speaker names, how many samples each speaker has, when the store changed, the model id and the
// profile blobs that exportProfiles() returns (plain by design: they are what the user takes elsewhere).
import { InvalidArgumentError, ModelMismatchError, WrongKeyError } from '../errors.mjs';

const AAD_PREFIX = 'speaker-id/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const PBKDF2_ITERATIONS = 600000;
const utf8 = new TextEncoder();
const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The AES-GCM key of an `encryption` option: { key: CryptoKey (AES-GCM, encrypt + decrypt) } or { passphrase }
 * (PBKDF2-SHA-256, PBKDF2_ITERATIONS, salt: SHA-256 of "speaker-id/v1 salt" and the model's sha256, so one
 * passphrase opens its store on any device).
 */
export async function encryptionKey(option, modelSha256) {
  if (option === null || typeof option !== 'object' || Object.keys(option).length !== 1 ||
      !('key' in option || 'passphrase' in option)) {
    throw new InvalidArgumentError('encryption must be { key: CryptoKey } (AES-GCM, encrypt and decrypt) or { passphrase: string }');
  }
  if ('passphrase' in option) {
    if (typeof option.passphrase !== 'string' || option.passphrase.length === 0) {
      throw new InvalidArgumentError('encryption.passphrase must be a non-empty string');
    }
    const salt = await crypto.subtle.digest('SHA-256', utf8.encode(`${AAD_PREFIX} salt ${modelSha256}`));
    const base = await crypto.subtle.importKey('raw', utf8.encode(option.passphrase), 'PBKDF2', false, ['deriveKey']);
    return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: PBKDF2_ITERATIONS }, base,
      { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  }
  const { key } = option;
  const ok = typeof CryptoKey !== 'undefined' ? key instanceof CryptoKey : key?.type === 'secret';
  if (!ok || key.algorithm?.name !== 'AES-GCM' || !key.usages.includes('encrypt') || !key.usages.includes('decrypt')) {
    throw new InvalidArgumentError('encryption.key must be a CryptoKey for AES-GCM with the usages encrypt and decrypt ' +
      "(crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, ...) or importKey)");
  }
  return key;
}

/** The sealed length of a `dim`-value sample, in float32 values of three bytes each. */
const sealedDim = (dim) => Math.ceil((IV_BYTES + 4 * dim + 24 + TAG_BYTES) / 3);

/** `inner` (an adapter) storing sealed samples under `key` (encryptionKey()) -> an adapter of the same interface. */
export function encryptStore(inner, key) {
  let model = null;
  let aad = null;
  // The inner binding's id: a label (stores compare sha256 and dim), and IndexedDB names its database by it.
  const innerId = () => `${model.id}+encrypted`;

  async function seal(s) {
    const plain = new Uint8Array(4 * model.dim + 24);
    const dv = new DataView(plain.buffer);
    for (let i = 0; i < model.dim; i++) dv.setFloat32(4 * i, s.embedding[i], true);
    dv.setFloat64(4 * model.dim, s.durationSec, true);
    dv.setFloat64(4 * model.dim + 8, s.speechSec, true);
    dv.setFloat64(4 * model.dim + 16, s.createdAt, true);
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, plain));
    const bytes = new Uint8Array(3 * sealedDim(model.dim));
    bytes.set(iv);
    bytes.set(sealed, IV_BYTES);
    const embedding = new Float32Array(bytes.length / 3);
    for (let i = 0; i < embedding.length; i++) embedding[i] = bytes[3 * i] + 256 * bytes[3 * i + 1] + 65536 * bytes[3 * i + 2];
    return { embedding, durationSec: 0, speechSec: 0, createdAt: 0 };
  }

  async function open(sample, name) {
    const e = sample.embedding;
    const bytes = new Uint8Array(3 * e.length);
    for (let i = 0; i < e.length; i++) {
      const v = e[i];
      bytes[3 * i] = v & 0xff;
      bytes[3 * i + 1] = (v >> 8) & 0xff;
      bytes[3 * i + 2] = (v >> 16) & 0xff;
    }
    const iv = bytes.subarray(0, IV_BYTES);
    const body = bytes.subarray(IV_BYTES, IV_BYTES + 4 * model.dim + 24 + TAG_BYTES);
    let plain;
    try {
      plain = new DataView(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, body));
    } catch {
      throw new WrongKeyError(`a sample of '${name}' does not decrypt with this key: the store was written with ` +
        'another key, or altered');
    }
    const embedding = new Float32Array(model.dim);
    for (let i = 0; i < model.dim; i++) embedding[i] = plain.getFloat32(4 * i, true);
    return { embedding, durationSec: plain.getFloat64(4 * model.dim, true),
      speechSec: plain.getFloat64(4 * model.dim + 8, true), createdAt: plain.getFloat64(4 * model.dim + 16, true) };
  }

  const sealAll = (samples) => Promise.all(samples.map(seal));
  const sealSpeakers = (speakers) => Promise.all(speakers.map(async (sp) => ({ name: sp.name, samples: await sealAll(sp.samples) })));

  return {
    async open(m) {
      model = { id: m.id, sha256: m.sha256.toLowerCase(), dim: m.dim };
      aad = utf8.encode(`${AAD_PREFIX} ${model.sha256}`);
      const check = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(IV_BYTES) }, key, new Uint8Array(16));
      const binding = hex(await crypto.subtle.digest('SHA-256', utf8.encode(`${model.sha256} ${hex(check)}`)));
      try {
        await inner.open({ id: innerId(), sha256: binding, dim: sealedDim(model.dim) });
      } catch (err) {
        const stored = err instanceof ModelMismatchError ? err.details?.stored : undefined;
        if (stored?.id !== innerId() || stored.dim !== sealedDim(model.dim)) throw err;
        // Encrypted profiles under another key (or of another model of this id): nothing is read or written.
        throw new WrongKeyError(`the store holds encrypted profiles of model '${model.id}' that this key cannot ` +
          'open (written with another key, or by another model of that id); nothing was read or changed');
      }
    },
    async load() {
      const { version, speakers } = await inner.load();
      const out = [];
      for (const sp of speakers) out.push({ name: sp.name, samples: await Promise.all(sp.samples.map((s) => open(s, sp.name))) });
      return { version, speakers: out };
    },
    version: () => inner.version(),
    addSamples: async (name, samples) => inner.addSamples(name, await sealAll(samples)),
    remove: (name) => inner.remove(name),
    rename: (from, to) => inner.rename(from, to),
    reset: () => inner.reset(),
    replaceAll: async (speakers) => inner.replaceAll(await sealSpeakers(speakers)),
    addSpeakers: async (speakers) => inner.addSpeakers(await sealSpeakers(speakers)),
    close: () => inner.close(),
  };
}

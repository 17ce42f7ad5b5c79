// The store contract: the behaviour every storage adapter (web/src/stores/store-interface.mjs) shows, as one list
// of cases that runs unchanged in Node, in a browser page and in the edge runtimes (it imports nothing and asserts
// with its own helper). tests/js/store-contract.test.mjs runs it on every adapter.
//
// A backend under test is an object:
//   create()          -> adapter (or a promise of one): a new, unopened adapter on new, empty backing storage
//   reopen(adapter)   -> adapter (or a promise of one): another unopened adapter on the same backing storage as
//                        `adapter` (a second tab, process or instance). Only for backends that persist; without it
//                        the cases marked `persisting` do not apply.
//   otherShaCode      the code open() refuses another sha256 with (default 'model_mismatch'; the encryption
//                     layer says 'wrong_key': its binding cannot tell another model of that id from another key)
// Each case: { name, persisting?, run(backend) }. run() makes its own storage, closes the adapters it opened and
// rejects with an Error saying what differed. Errors are recognised by `code` (err.code === 'model_mismatch'),
// which holds across realms.

const DIM = 8;
export const MODEL = Object.freeze({ id: 'contract-model', sha256: '5e'.repeat(32), dim: DIM });
const OTHER_SHA = { ...MODEL, sha256: 'a7'.repeat(32) };
const OTHER_DIM = { ...MODEL, dim: 16 };

// ---- helpers ----------------------------------------------------------------------------------------------------

class ContractError extends Error {}
const show = (v) => JSON.stringify(v, (k, x) => (ArrayBuffer.isView(x) ? Array.from(x) : x));

function ok(cond, what) {
  if (!cond) throw new ContractError(what);
}
function same(actual, expected, what) {
  if (show(actual) !== show(expected)) throw new ContractError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}
async function rejects(promise, code, what) {
  let err = null;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  ok(err !== null, `${what}: resolved, expected an error with code '${code}'`);
  ok(err.code === code, `${what}: expected code '${code}', got ${err.code} (${err.name}: ${err.message})`);
}

/** Sample `k`: recognisable by createdAt, and with values that only an exact (float32 / float64) store keeps. */
function sample(k) {
  const embedding = new Float32Array(DIM);
  embedding.set([k, -0, 1.401298464324817e-45, 3.4028234663852886e38, Math.fround(0.1), -1 / 3, 2 ** -126, k / 7]);
  return { embedding, durationSec: 0.1 + k, speechSec: 1 / 3 + k, createdAt: 1700000000123 + k };
}
const samples = (...ks) => ks.map(sample);
const idsOf = (speakers) => speakers.map((sp) => [sp.name, sp.samples.map((s) => s.createdAt - 1700000000123)]);
const namesOf = (speakers) => speakers.map((sp) => sp.name);
const bits = (f32) => Array.from(new Uint32Array(Float32Array.from(f32).buffer));

function sameSample(actual, expected, what) {
  ok(Object.prototype.toString.call(actual.embedding) === '[object Float32Array]', `${what}: embedding is not a Float32Array`);
  same(bits(actual.embedding), bits(expected.embedding), `${what}: embedding bits`);
  for (const field of ['durationSec', 'speechSec', 'createdAt']) {
    ok(Object.is(actual[field], expected[field]), `${what}: ${field} ${actual[field]} !== ${expected[field]}`);
  }
  same(Object.keys(actual).sort(), ['createdAt', 'durationSec', 'embedding', 'speechSec'], `${what}: fields`);
}

// Opens adapters for one case and closes them all at the end.
async function withStores(backend, body) {
  const opened = [];
  const open = async (adapter, model = MODEL) => {
    const a = await adapter;
    opened.push(a);
    await a.open(model);
    return a;
  };
  try {
    const first = await open(backend.create());
    await body(first, {
      open,
      reopen: (model = MODEL) => open(backend.reopen(first), model),
    });
  } finally {
    for (const a of opened) await a.close();
  }
}

/** Checks that a mutation's { before, after } follow the token it started from; resolves to its result. */
async function step(store, last, promise, { commits = true, what }) {
  const r = await promise;
  same(r.before, last, `${what}: before`);
  if (commits) ok(r.after !== r.before, `${what}: a committed mutation must change the version (${show(r)})`);
  else same(r.after, r.before, `${what}: a no-op leaves the version`);
  same(await store.version(), r.after, `${what}: version() after it`);
  return r;
}

// ---- the cases --------------------------------------------------------------------------------------------------

export const CASES = [
  {
    name: 'an empty store loads empty; version() equals the snapshot\'s version',
    run: (backend) => withStores(backend, async (s) => {
      const loaded = await s.load();
      same(loaded.speakers, [], 'speakers');
      ok(typeof loaded.version === 'string' || typeof loaded.version === 'number', 'version is a string or a number');
      same(await s.version(), loaded.version, 'version()');
    }),
  },
  {
    name: 'open() binds the model: another sha256 or dim is refused with ModelMismatchError, the data stays',
    run: (backend) => withStores(backend, async (s, { open, reopen }) => {
      await s.addSamples('ann', samples(1));
      const snapshot = await s.load();
      for (const other of [OTHER_SHA, OTHER_DIM]) {
        const again = backend.reopen ? backend.reopen(s) : s;
        const code = other === OTHER_SHA ? backend.otherShaCode ?? 'model_mismatch' : 'model_mismatch';
        await rejects(open(again, other), code, `open(${show(other)})`);
      }
      // The sha256 compares case-insensitively; the stored speakers are untouched.
      const upper = { ...MODEL, sha256: MODEL.sha256.toUpperCase() };
      const back = backend.reopen ? await reopen(upper) : await open(s, upper);
      same(idsOf((await back.load()).speakers), idsOf(snapshot.speakers), 'speakers after the refusals');
    }),
  },
  {
    name: 'addSamples appends in order; a new name is enrolled at the end',
    run: (backend) => withStores(backend, async (s) => {
      await s.addSamples('ann', samples(1, 2));
      await s.addSamples('bob', samples(3));
      await s.addSamples('cy', samples(4));
      await s.addSamples('ann', samples(5));
      same(idsOf((await s.load()).speakers), [['ann', [1, 2, 5]], ['bob', [3]], ['cy', [4]]], 'speakers');
    }),
  },
  {
    name: 'sample fields round-trip exactly: float32 embedding bits, durationSec, speechSec, createdAt',
    run: (backend) => withStores(backend, async (s, { reopen }) => {
      const given = samples(0, 1, 2 ** 20);
      await s.addSamples('ann', given);
      await s.addSpeakers([{ name: 'Zoë 李', samples: samples(7) }]);
      await s.replaceAll([...(await s.load()).speakers, { name: 'cy', samples: samples(9) }]);
      const check = (loaded, where) => {
        same(namesOf(loaded.speakers), ['ann', 'Zoë 李', 'cy'], `${where}: names`);
        loaded.speakers[0].samples.forEach((x, i) => sameSample(x, given[i], `${where}: ann sample ${i}`));
        sameSample(loaded.speakers[1].samples[0], sample(7), `${where}: addSpeakers sample`);
        sameSample(loaded.speakers[2].samples[0], sample(9), `${where}: replaceAll sample`);
      };
      check(await s.load(), 'same adapter');
      if (backend.reopen) check(await (await reopen()).load(), 'another adapter');
    }),
  },
  {
    name: 'load() is a snapshot: records are copied in and out, later mutations do not reach an earlier snapshot',
    run: (backend) => withStores(backend, async (s) => {
      const given = samples(1);
      await s.addSamples('ann', given);
      given[0].embedding[0] = 99;   // the caller reuses its array
      given.push(sample(2));
      const first = await s.load();
      same(idsOf(first.speakers), [['ann', [1]]], 'stored at the call');
      sameSample(first.speakers[0].samples[0], sample(1), 'stored values');
      first.speakers[0].samples[0].embedding[0] = 42;   // the caller changes what it loaded
      first.speakers[0].samples.push(sample(3));
      await s.addSamples('bob', samples(4));
      await s.rename('ann', 'anna');
      same(idsOf(first.speakers), [['ann', [1, 3]]], 'the earlier snapshot');
      const second = await s.load();
      same(idsOf(second.speakers), [['anna', [1]], ['bob', [4]]], 'a new snapshot');
      sameSample(second.speakers[0].samples[0], sample(1), 'stored values after');
      same(second.version, await s.version(), 'snapshot version');
    }),
  },
  {
    name: 'remove: removed true, then false (a no-op); a removed name re-enrolls at the end',
    run: (backend) => withStores(backend, async (s) => {
      await s.addSamples('ann', samples(1));
      await s.addSamples('bob', samples(2));
      await s.addSamples('cy', samples(3));
      let last = await s.version();
      const r1 = await step(s, last, s.remove('bob'), { what: 'remove(bob)' });
      same(r1.removed, true, 'removed');
      last = r1.after;
      const r2 = await step(s, last, s.remove('bob'), { commits: false, what: 'remove(bob) again' });
      same(r2.removed, false, 'removed again');
      const r3 = await step(s, last, s.remove('nobody'), { commits: false, what: 'remove(nobody)' });
      same(r3.removed, false, 'removed unknown');
      await s.addSamples('bob', samples(4));
      same(idsOf((await s.load()).speakers), [['ann', [1]], ['cy', [3]], ['bob', [4]]], 'speakers');
    }),
  },
  {
    name: 'rename keeps the position; unknown -> UnknownSpeakerError, existing target -> SpeakerExistsError, same name -> no-op',
    run: (backend) => withStores(backend, async (s) => {
      await s.addSamples('ann', samples(1, 2));
      await s.addSamples('bob', samples(3));
      await s.addSamples('cy', samples(4));
      let last = (await step(s, await s.version(), s.rename('bob', 'bert'), { what: 'rename(bob, bert)' })).after;
      same(idsOf((await s.load()).speakers), [['ann', [1, 2]], ['bert', [3]], ['cy', [4]]], 'after the rename');
      await rejects(s.rename('ghost', 'x'), 'unknown_speaker', 'rename(ghost, x)');
      await rejects(s.rename('ghost', 'ghost'), 'unknown_speaker', 'rename(ghost, ghost)');
      await rejects(s.rename('bob', 'x'), 'unknown_speaker', 'rename of the old name');
      await rejects(s.rename('ann', 'cy'), 'speaker_exists', 'rename(ann, cy)');
      same(await s.version(), last, 'refused renames leave the version');
      last = (await step(s, last, s.rename('ann', 'ann'), { commits: false, what: 'rename(ann, ann)' })).after;
      await s.addSamples('bert', samples(5));
      await step(s, await s.version(), s.rename('bert', 'bob'), { what: 'rename back' });
      same(idsOf((await s.load()).speakers), [['ann', [1, 2]], ['bob', [3, 5]], ['cy', [4]]], 'in the end');
    }),
  },
  {
    name: 'reset empties the store and keeps the model binding',
    run: (backend) => withStores(backend, async (s, { open }) => {
      await s.addSamples('ann', samples(1));
      await s.addSamples('bob', samples(2));
      await step(s, await s.version(), s.reset(), { what: 'reset()' });
      same((await s.load()).speakers, [], 'speakers after reset');
      await rejects(open(backend.reopen ? backend.reopen(s) : s, OTHER_SHA), backend.otherShaCode ?? 'model_mismatch',
        'another model after reset');
      const again = backend.reopen ? await open(backend.reopen(s)) : s;
      await again.addSamples('cy', samples(3));
      same(idsOf((await again.load()).speakers), [['cy', [3]]], 'speakers after reset and an enrollment');
    }),
  },
  {
    name: 'replaceAll makes the given speakers the whole content, in the given order',
    run: (backend) => withStores(backend, async (s) => {
      await s.addSamples('ann', samples(1));
      await s.addSamples('zed', samples(2));
      await step(s, await s.version(), s.replaceAll([{ name: 'zed', samples: samples(10) }, { name: 'amy', samples: samples(11, 12) }]),
        { what: 'replaceAll' });
      same(idsOf((await s.load()).speakers), [['zed', [10]], ['amy', [11, 12]]], 'speakers');
      await step(s, await s.version(), s.replaceAll([]), { what: 'replaceAll([])' });
      same((await s.load()).speakers, [], 'after replaceAll([])');
    }),
  },
  {
    name: 'addSpeakers enrolls new speakers at the end; one existing name refuses all and writes nothing',
    run: (backend) => withStores(backend, async (s) => {
      await s.addSamples('ann', samples(1));
      await s.addSamples('bob', samples(2));
      const before = await s.load();
      await rejects(s.addSpeakers([{ name: 'dave', samples: samples(7) }, { name: 'bob', samples: samples(8) }]),
        'speaker_exists', 'addSpeakers with a clash');
      same(idsOf((await s.load()).speakers), idsOf(before.speakers), 'speakers after the refusal');
      same(await s.version(), before.version, 'version after the refusal');
      await step(s, before.version, s.addSpeakers([{ name: 'dave', samples: samples(7) }, { name: 'erin', samples: samples(8, 9) }]),
        { what: 'addSpeakers' });
      same(idsOf((await s.load()).speakers), [['ann', [1]], ['bob', [2]], ['dave', [7]], ['erin', [8, 9]]], 'speakers');
    }),
  },
  {
    name: 'version: each commit moves it to a token never seen before; no-ops and refusals leave it',
    run: (backend) => withStores(backend, async (s) => {
      const seen = new Set();
      let last = await s.version();
      seen.add(last);
      const commit = async (what, promise) => {
        last = (await step(s, last, promise, { what })).after;
        ok(!seen.has(last), `${what}: the token ${show(last)} came back`);
        seen.add(last);
      };
      const noop = async (what, promise) => { await step(s, last, promise, { commits: false, what }); };
      for (let round = 0; round < 3; round++) {
        await commit('addSamples(ann)', s.addSamples('ann', samples(round)));
        await commit('addSamples(bob)', s.addSamples('bob', samples(round)));
        await commit('rename(bob, cy)', s.rename('bob', 'cy'));
        await noop('rename(cy, cy)', s.rename('cy', 'cy'));
        await noop('remove(bob)', s.remove('bob'));
        await rejects(s.rename('ann', 'cy'), 'speaker_exists', 'rename(ann, cy)');
        await rejects(s.addSpeakers([{ name: 'ann', samples: samples(9) }]), 'speaker_exists', 'addSpeakers(ann)');
        same(await s.version(), last, 'after refusals');
        await commit('remove(cy)', s.remove('cy'));
        await commit('addSpeakers', s.addSpeakers([{ name: `new${round}`, samples: samples(5) }]));
        await commit('replaceAll', s.replaceAll([{ name: 'ann', samples: samples(6) }]));
        await commit('reset', s.reset());
        same((await s.load()).version, last, 'load().version');
      }
    }),
  },
  {
    name: 'a second adapter on the same storage sees every committed write, and its tokens',
    persisting: true,
    run: (backend) => withStores(backend, async (a, { reopen }) => {
      const b = await reopen();
      const cached = (await b.load()).version;   // what a SpeakerId on b would keep
      const mine = await a.addSamples('ann', samples(1));
      ok(await b.version() !== cached, 'b sees that a wrote');
      same(await b.version(), mine.after, 'b\'s version() is a\'s token');
      same(idsOf((await b.load()).speakers), [['ann', [1]]], 'b loads a\'s write');
      const theirs = await b.addSamples('bob', samples(2));
      same(theirs.before, mine.after, 'b\'s mutation starts from a\'s token');
      const next = await a.rename('ann', 'anna');
      same(next.before, theirs.after, 'a\'s next mutation starts from b\'s token');
      await b.remove('bob');
      await a.addSpeakers([{ name: 'cy', samples: samples(3) }]);
      await b.addSamples('anna', samples(4));
      const fromA = await a.load();
      const fromB = await b.load();
      same(idsOf(fromA.speakers), [['anna', [1, 4]], ['cy', [3]]], 'a\'s view');
      same(idsOf(fromB.speakers), idsOf(fromA.speakers), 'b\'s view');
      same(fromB.version, fromA.version, 'both versions');
      await a.reset();
      same((await b.load()).speakers, [], 'b after a\'s reset');
      const c = await reopen();   // a later instance (a reload, another process) starts from what is stored
      await c.addSamples('dee', samples(5));
      same(idsOf((await a.load()).speakers), [['dee', [5]]], 'a after c wrote');
    }),
  },
  {
    name: 'enrollment order with many speakers, through adds, removes, renames and re-enrollments',
    run: (backend) => withStores(backend, async (s, { reopen }) => {
      const expected = [];   // the reference: [name, [ids]]
      const add = async (name, k) => {
        await s.addSamples(name, samples(k));
        const e = expected.find(([n]) => n === name);
        if (e) e[1].push(k); else expected.push([name, [k]]);
      };
      const remove = async (name) => {
        const i = expected.findIndex(([n]) => n === name);
        same((await s.remove(name)).removed, i >= 0, `remove(${name}).removed`);
        if (i >= 0) expected.splice(i, 1);
      };
      const rename = async (from, to) => {
        await s.rename(from, to);
        expected.find(([n]) => n === from)[0] = to;
      };
      for (let i = 0; i < 120; i++) {
        await add(`speaker-${i}`, i);
        if (i % 7 === 6) await add(`speaker-${i - 5}`, 1000 + i);   // more samples for an earlier speaker
        if (i % 11 === 10) await remove(`speaker-${i - 3}`);
        if (i % 13 === 12) await rename(`speaker-${i - 1}`, `renamed-${i - 1}`);   // never one removed before
      }
      await add('speaker-7', 2000);   // removed above: re-enrolled at the end
      const bulk = Array.from({ length: 300 }, (_, i) => ({ name: `bulk-${i}`, samples: samples(3000 + i) }));
      await s.addSpeakers(bulk);
      expected.push(...bulk.map((sp, i) => [sp.name, [3000 + i]]));
      same(idsOf((await s.load()).speakers), expected, 'speakers in enrollment order');
      if (backend.reopen) same(idsOf((await (await reopen()).load()).speakers), expected, 'another adapter');
    }),
  },
];

/** The case called `name`. */
export const contractCase = (name) => {
  const c = CASES.find((x) => x.name === name);
  if (!c) throw new ContractError(`no contract case '${name}'`);
  return c;
};

// The file store's writers' lock under races and crashes (web/src/stores/file-store.mjs, "The lock"), on real files
// with real processes: many writers racing to take over the lock of a writer that died, in one process and in
// several; writers SIGKILLed at every step of creating or taking over a lock, and at random moments; the lock of a
// writer this host cannot check (another host, another pid namespace), which is waited for and then named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createFileStore, STORE_FILE } from '../../web/src/stores/file-store.mjs';
import { StoreError } from '../../web/src/errors.mjs';
import { ROOT } from './helpers.mjs';

const MODEL = { id: 'test-model', sha256: 'cd'.repeat(32), dim: 4 };
const STORE_MODULE = `${ROOT}web/src/stores/file-store.mjs`;
const tmp = () => mkdtempSync(join(tmpdir(), 'sid-file-lock-'));
const nonce = () => randomBytes(16).toString('hex');
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

// A pid that no process has: one that ran, exited and was reaped.
function deadPid() {
  for (;;) {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    if (!alive(pid)) return pid;
  }
}

// What a writer that died holding the lock leaves in `.lock`: the owner record `pid host nonce proc time` ('-': no
// process identity, only the pid is checked), or in alternate rounds an earlier version's `pid host time`.
const staleRecord = (pid, round) => (round % 2
  ? `${pid} ${hostname()} ${nonce()} - ${new Date().toISOString()}\n`
  : `${pid} ${hostname()} ${new Date().toISOString()}\n`);

async function opened(dir, opts) {
  const s = createFileStore(dir, opts);
  await s.open(MODEL);
  return s;
}

// name -> sample count, read by a new adapter (it checks every record).
async function contents(dir) {
  const { speakers } = await (await opened(dir)).load();
  return new Map(speakers.map((sp) => [sp.name, sp.samples.length]));
}

// After a round of racing writers: every acknowledged write is in the store, once; nothing is left behind.
async function tallyRound(tally, dir, round, results, names) {
  const acked = names.filter((_, i) => results[i].status === 'fulfilled');
  tally.acked += acked.length;
  for (const r of results) if (r.status === 'rejected') tally.failed.push(`round ${round}: ${r.reason.message}`);
  let stored;
  try {
    stored = await contents(dir);
  } catch (err) {
    tally.damaged.push(`round ${round}: ${err.message}`);
    return false;
  }
  const lost = acked.filter((n) => stored.get(n) !== 1);
  if (lost.length) {
    tally.lost += lost.length;
    tally.lostRounds += 1;
  }
  const left = readdirSync(dir).filter((n) => n !== STORE_FILE);
  if (left.length) tally.leftovers.push(`round ${round}: ${left.join(' ')}`);
  return true;
}
const newTally = () => ({ acked: 0, lost: 0, lostRounds: 0, failed: [], damaged: [], leftovers: [] });
const summary = (t, rounds) => `${t.acked} writes acknowledged, ${t.lost} of them lost in ${t.lostRounds} of ${rounds} rounds; ` +
  `${t.failed.length} failed, ${t.damaged.length} rounds left a damaged store, ${t.leftovers.length} left files behind`;
function assertClean(t, rounds, writes) {
  assert.deepEqual({ lost: t.lost, failed: t.failed.slice(0, 5), damaged: t.damaged.slice(0, 5), leftovers: t.leftovers.slice(0, 5) },
    { lost: 0, failed: [], damaged: [], leftovers: [] }, summary(t, rounds));
  assert.equal(t.acked, writes, summary(t, rounds));
}

const IN_PROCESS_WRITERS = 8;
const LANES = 4;             // stores raced over at the same time, each by its own writers: the waits overlap
const LANE_ROUNDS = 25;
const IN_PROCESS_ROUNDS = LANES * LANE_ROUNDS;

test(`${IN_PROCESS_WRITERS} writers of one process race to take over a dead writer's lock: no acknowledged write is lost ` +
  `(${IN_PROCESS_ROUNDS} rounds)`, { timeout: 60000 }, async (t) => {
  const root = tmp();
  try {
    const pid = deadPid();
    const tally = newTally();
    await Promise.all(Array.from({ length: LANES }, async (_, lane) => {
      let dir;
      let writers;
      for (let r = 0; r < LANE_ROUNDS; r++) {
        const round = `${lane}.${r}`;
        if (r % 4 === 0 || !dir) {   // a new store now and then: its first write creates the journal whole
          dir = join(root, `l${round}`);
          writers = await Promise.all(Array.from({ length: IN_PROCESS_WRITERS }, () => opened(dir, { lockTimeoutMs: 10000 })));
        }
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, '.lock'), staleRecord(pid, r));
        const names = writers.map((_, i) => `r${round}-w${i}`);
        const results = await Promise.allSettled(writers.map((s, i) => s.addSamples(names[i],
          [{ embedding: Float32Array.of(lane, i, 2, r), durationSec: 1, speechSec: 1, createdAt: r }])));
        if (!await tallyRound(tally, dir, round, results, names)) dir = null;
      }
    }));
    t.diagnostic(summary(tally, IN_PROCESS_ROUNDS));
    assertClean(tally, IN_PROCESS_ROUNDS, IN_PROCESS_ROUNDS * IN_PROCESS_WRITERS);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

// Lines from a child's stdout, one at a time; rejects once the child is gone.
function lineReader(p) {
  const queue = [];
  const waiting = [];
  let gone = null;
  createInterface({ input: p.stdout }).on('line', (l) => (waiting.length ? waiting.shift().resolve(l) : queue.push(l)));
  p.on('exit', (code, signal) => {
    gone = new Error(`writer process ${p.pid} exited (${code ?? signal})`);
    for (const w of waiting.splice(0)) w.reject(gone);
  });
  return () => (queue.length ? Promise.resolve(queue.shift())
    : gone ? Promise.reject(gone) : new Promise((resolve, reject) => waiting.push({ resolve, reject })));
}

const PROCESSES = 4;
const PROCESS_ROUNDS = 24;

test(`${PROCESSES} writer processes (2 writers each) race to take over a dead writer's lock: no acknowledged write is lost ` +
  `(${PROCESS_ROUNDS} rounds)`, { timeout: 60000 }, async (t) => {
  const root = tmp();
  // Per round: {dir} opens 2 writers on it (answer 'ready'), then 'go' makes each add one speaker (answer: which got in).
  const child = (id) => `
    import { createInterface } from 'node:readline';
    import { createFileStore } from '${STORE_MODULE}';
    const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
    let dir = null;
    let writers;
    for (let round = 0; ; round++) {
      const next = await lines.next();
      if (next.done) break;
      const msg = JSON.parse(next.value);
      if (msg.dir !== dir) {
        dir = msg.dir;
        writers = await Promise.all([0, 1].map(async () => {
          const s = createFileStore(dir, { lockTimeoutMs: 10000 });
          await s.open(${JSON.stringify(MODEL)});
          return s;
        }));
      }
      process.stdout.write('ready\\n');
      await lines.next();   // go
      const results = await Promise.allSettled(writers.map((s, j) => s.addSamples(msg.names[j],
        [{ embedding: Float32Array.of(${id}, j, 2, round), durationSec: 1, speechSec: 1, createdAt: round }])));
      process.stdout.write(JSON.stringify(results.map((r) => (r.status === 'fulfilled' ? null : r.reason.message))) + '\\n');
    }`;
  const procs = Array.from({ length: PROCESSES }, (_, id) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', child(id)], { stdio: ['pipe', 'pipe', 'inherit'] });
    return { p, next: lineReader(p) };
  });
  try {
    const pid = deadPid();
    const tally = newTally();
    let dir = null;
    for (let round = 0; round < PROCESS_ROUNDS; round++) {
      if (round % 4 === 0 || !dir) dir = join(root, `r${round}`);
      const names = procs.map((_, id) => [0, 1].map((j) => `r${round}-p${id}-w${j}`));
      for (const [id, { p }] of procs.entries()) p.stdin.write(`${JSON.stringify({ dir, names: names[id] })}\n`);
      for (const { next } of procs) assert.equal(await next(), 'ready');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '.lock'), staleRecord(pid, round));
      for (const { p } of procs) p.stdin.write('go\n');
      const results = [];
      for (const { next } of procs) {
        for (const reason of JSON.parse(await next())) results.push(reason === null ? { status: 'fulfilled' } : { status: 'rejected', reason: { message: reason } });
      }
      if (!await tallyRound(tally, dir, round, results, names.flat())) dir = null;
    }
    t.diagnostic(summary(tally, PROCESS_ROUNDS));
    assertClean(tally, PROCESS_ROUNDS, PROCESS_ROUNDS * PROCESSES * 2);
  } finally {
    for (const { p } of procs) p.stdin.end();
    await Promise.all(procs.map(({ p }) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.on('exit', r)) : null)));
    rmSync(root, { recursive: true, force: true });
  }
});

// One writer process adding `name`, which the store SIGKILLs itself at `point` (the test hook SID_TEST_CRASH_AT).
async function killedAt(dir, point, name) {
  const p = spawn(process.execPath, ['--input-type=module', '-e', `
    import { createFileStore } from '${STORE_MODULE}';
    const s = createFileStore(${JSON.stringify(dir)}, { lockTimeoutMs: 5000 });
    await s.open(${JSON.stringify(MODEL)});
    await s.addSamples(${JSON.stringify(name)}, [{ embedding: Float32Array.of(1, 2, 3, 4), durationSec: 1, speechSec: 1, createdAt: 1 }]);`],
  { env: { ...process.env, SID_TEST_CRASH_AT: point }, stdio: ['ignore', 'ignore', 'inherit'] });
  const [code, signal] = await new Promise((r) => p.on('exit', (c, s) => r([c, s])));
  assert.equal(signal, 'SIGKILL', `the writer was to be killed at ${point}, it exited with ${code}`);
}

const LOCK_TIMEOUT = 4000;
const sample = (k) => ({ embedding: Float32Array.of(1, k, 0.5, -k), durationSec: 2, speechSec: 1.5, createdAt: k });

// Times one write of a new writer: it must get in well within its lockTimeoutMs.
async function nextWriterGetsIn(dir, name) {
  const s = await opened(dir, { lockTimeoutMs: LOCK_TIMEOUT });
  const t0 = performance.now();
  await s.addSamples(name, [sample(7)]);
  const ms = performance.now() - t0;
  assert.ok(ms < LOCK_TIMEOUT / 4, `the next writer waited ${ms.toFixed(0)} ms (lockTimeoutMs ${LOCK_TIMEOUT})`);
  return ms;
}

// [points the writers are killed at, one writer each, in turn; whether a dead writer's lock is there first]
const CRASHES = [
  [['lock-draft'], false],                   // its lock's draft written, not yet linked as .lock
  [['lock-linked'], false],                  // .lock linked from the draft, the draft not yet removed
  [['locked'], false],                       // holding the lock, before its mutation
  [['break-draft'], true],                   // taking over a dead writer's lock: the break marker's draft written
  [['break-linked'], true],                  // the break marker linked, its draft not yet removed
  [['break-claimed'], true],                 // holding the break marker, the dead lock not yet re-read and removed
  [['break-removed'], true],                 // the dead lock removed, the break marker not yet
  [['break-linked', 'break-linked'], true],  // two in turn: a dead marker over a dead marker over a dead lock
  [['break-linked', 'break-removed'], true], // the second broke the first's marker, died before removing its own
  [['break-removed', 'lock-linked'], true],
];

test('a writer SIGKILLed at any step of creating or taking over the lock never blocks the next writer', { timeout: 60000 }, async (t) => {
  const root = tmp();
  try {
    const pid = deadPid();
    const times = [];
    for (const [i, [points, stale]] of CRASHES.entries()) {
      const dir = join(root, `c${i}`);
      const s = await opened(dir);
      await s.addSamples('base', [sample(1)]);
      if (stale) writeFileSync(join(dir, '.lock'), staleRecord(pid, 1));
      for (const [j, point] of points.entries()) await killedAt(dir, point, `killed-${j}`);
      times.push(await nextWriterGetsIn(dir, 'after'));
      assert.deepEqual([...(await contents(dir)).keys()], ['base', 'after'], points.join(', '));
      assert.deepEqual(readdirSync(dir), [STORE_FILE], `${points.join(', ')}: everything the killed writers left was cleaned up`);
    }
    t.diagnostic(`the next writer got in after ${Math.round(Math.max(...times))} ms at most`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a writer SIGKILLed at random moments while taking over dead writers\' locks never blocks the next writer nor loses ' +
  'an acknowledged write', { timeout: 60000 }, async (t) => {
  const root = tmp();
  const dir = join(root, 'store');
  try {
    const pid = deadPid();
    // Every other mutation first finds the lock of a writer that died (created as writers create it: hard-linked
    // from a draft), so the kills land in takeovers as well as in lock creation, mutation and release.
    const loop = `
      import { linkSync, rmSync, writeFileSync } from 'node:fs';
      import { randomBytes } from 'node:crypto';
      import { createFileStore } from '${STORE_MODULE}';
      const s = createFileStore(${JSON.stringify(dir)}, { lockTimeoutMs: 5000 });
      await s.open(${JSON.stringify(MODEL)});
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) {
        if (i % 2 === 0) {
          const draft = ${JSON.stringify(join(root, 'stale-'))} + process.pid;
          writeFileSync(draft, \`${pid} ${hostname()} \${randomBytes(16).toString('hex')} - \${new Date().toISOString()}\\n\`);
          try { linkSync(draft, ${JSON.stringify(join(dir, '.lock'))}); } catch {}
          rmSync(draft);
        }
        await s.addSamples('spk' + (i % 5), [{ embedding: Float32Array.of(1, i, 2, 3), durationSec: 1, speechSec: 1, createdAt: i }]);
        process.stdout.write('ack\\n');
      }`;
    const s = await opened(dir);
    await s.addSamples('base', [sample(0)]);
    let acked = 1;
    const times = [];
    const left = { '.lock': 0, '.lock.draft.': 0, '.lock.break.': 0 };   // what the kills left: where they landed
    for (let round = 0; round < 12; round++) {
      const p = spawn(process.execPath, ['--input-type=module', '-e', loop], { stdio: ['ignore', 'pipe', 'inherit'] });
      const next = lineReader(p);
      assert.equal(await next(), 'ready');
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 250));
      p.kill('SIGKILL');
      await new Promise((r) => p.on('close', r));
      for (;;) {
        const line = await next().catch(() => null);
        if (line === null) break;
        if (line === 'ack') acked += 1;
      }
      for (const name of readdirSync(dir)) {
        for (const prefix of Object.keys(left)) if (name === prefix || (prefix.endsWith('.') && name.startsWith(prefix))) left[prefix] += 1;
      }
      times.push(await nextWriterGetsIn(dir, `check-${round}`));
      acked += 1;
      const stored = [...(await contents(dir)).values()].reduce((a, b) => a + b, 0);
      assert.ok(stored >= acked, `round ${round}: ${stored} samples stored, ${acked} acknowledged`);
      assert.deepEqual(readdirSync(dir), [STORE_FILE], `round ${round}: nothing left behind`);
    }
    assert.ok(acked > 30, `only ${acked} writes acknowledged`);
    t.diagnostic(`${acked} writes acknowledged; the next writer got in after ${Math.round(Math.max(...times))} ms at most; ` +
      `the kills left ${Object.entries(left).map(([k, n]) => `${n} ${k}*`).join(', ')}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

// This process's pid namespace and boot, as /proc shows them (Linux), or null.
function procIdentity() {
  try {
    return { ns: readlinkSync('/proc/self/ns/pid').replace(/\D/g, ''), boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() };
  } catch {
    return null;
  }
}

test('a lock this host cannot check (another host, another pid namespace) is waited for, then refused naming its owner; ' +
  'the store is unchanged', async () => {
  const dir = tmp();
  try {
    const s = await opened(dir, { lockTimeoutMs: 300 });
    await s.addSamples('ann', [sample(1)]);
    const journal = readFileSync(join(dir, STORE_FILE));
    const since = '2031-02-03T04:05:06.789Z';
    const proc = procIdentity();
    const owners = [[`4242 nas-client-7.example ${nonce()} - ${since}\n`, /process 4242 on host nas-client-7\.example/]];
    if (proc) {   // the same host name, but a process of another pid namespace (another container): its pid means nothing here
      owners.push([`${process.pid} ${hostname()} ${nonce()} 1${proc.ns}:${proc.boot}:123 ${since}\n`,
        new RegExp(`process ${process.pid} of another pid namespace`)]);
    }
    for (const [record, who] of owners) {
      writeFileSync(join(dir, '.lock'), record);
      const t0 = performance.now();
      await assert.rejects(s.addSamples('bob', [sample(2)]), (err) => {
        assert.ok(err instanceof StoreError, err.message);
        assert.match(err.message, who);
        assert.ok(err.message.includes(`since ${since}`), err.message);
        assert.ok(err.message.includes(`remove ${join(dir, '.lock')}`), err.message);
        return true;
      });
      assert.ok(performance.now() - t0 >= 300, 'it waited lockTimeoutMs first');
      assert.deepEqual(readFileSync(join(dir, STORE_FILE)), journal, 'the store is unchanged');
      assert.equal(readFileSync(join(dir, '.lock'), 'utf8'), record, 'the lock is left as it is');
      assert.deepEqual(readdirSync(dir).sort(), ['.lock', STORE_FILE]);
    }
    rmSync(join(dir, '.lock'));   // as the message says, once that writer is gone
    await s.addSamples('bob', [sample(2)]);
    assert.deepEqual([...(await contents(dir)).keys()], ['ann', 'bob']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock whose pid now runs another process, or written before this host booted, is taken over at once (Linux)', async (t) => {
  const proc = procIdentity();
  if (!proc) return t.skip('no /proc');
  const dir = tmp();
  try {
    const s = await opened(dir, { lockTimeoutMs: 2000 });
    const records = [
      `${process.pid} ${hostname()} ${nonce()} ${proc.ns}:${proc.boot}:1 2020-01-01T00:00:00.000Z\n`,   // this pid, another start time
      `${process.pid} ${hostname()} ${nonce()} ${proc.ns}:00000000-0000-0000-0000-000000000000:1 2020-01-01T00:00:00.000Z\n`,   // another boot
    ];
    for (const [i, record] of records.entries()) {
      writeFileSync(join(dir, '.lock'), record);
      const t0 = performance.now();
      await s.addSamples(`spk${i}`, [sample(i)]);
      assert.ok(performance.now() - t0 < 500, `taken over at once (${record.trim()})`);
      assert.ok(!existsSync(join(dir, '.lock')));
    }
    assert.deepEqual(readdirSync(dir), [STORE_FILE]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

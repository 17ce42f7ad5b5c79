// CLI start-up cost: wall time of fresh processes of `speaker-id speakers --store DIR` (a store command that needs
// no inference) and of `speaker-id --help` (node and module loading only), interleaved, after one unmeasured run
// of each (disk cache). Prints one JSON line: { runs, storeSpeakers, speakers: { medianMs, minMs, maxMs }, help }.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = `${ROOT}web/cli/speaker-id.mjs`;
const DATA = `${process.env.SID_SHARED_DIR ?? `${ROOT}../shared`}/audio/librispeech_test-other`;
const RUNS = 9;

function cli(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    console.error(`bench/cli: speaker-id ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
    process.exit(1);
  }
  return ms;
}

const store = mkdtempSync(join(tmpdir(), 'sid-bench-cli-'));
try {
  // a small store: the shortest recording of each of 3 speakers
  const speakers = readdirSync(DATA).filter((s) => statSync(join(DATA, s)).isDirectory()).sort().slice(0, 3);
  for (const s of speakers) {
    const files = readdirSync(join(DATA, s)).filter((f) => f.endsWith('.flac')).map((f) => join(DATA, s, f))
      .sort((a, b) => statSync(a).size - statSync(b).size);
    cli(['enroll', '--store', store, s, files[0]]);
  }
  const commands = { speakers: ['speakers', '--store', store], help: ['--help'] };
  const times = { speakers: [], help: [] };
  for (const args of Object.values(commands)) cli(args);
  for (let i = 0; i < RUNS; i++) for (const [name, args] of Object.entries(commands)) times[name].push(cli(args));
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const ms = (x) => Math.round(x * 10) / 10;
    return { medianMs: ms(s[s.length >> 1]), minMs: ms(s[0]), maxMs: ms(s[s.length - 1]) };
  };
  console.log(JSON.stringify({ runs: RUNS, storeSpeakers: speakers.length, speakers: stats(times.speakers),
    help: stats(times.help) }));
} finally {
  rmSync(store, { recursive: true, force: true });
}

// File store benchmark: one mutation (an enrollment of 3 samples, a rename, a remove) and load() in stores of 100,
// 10,000 and 100,000 speakers (3 samples each, dim 192), on the real file system of os.tmpdir(), each mutation
// committed (fsynced) as in use. Prints one JSON line: per size, the file size and per operation the median, min
// and max in ms of REPS runs. Mutations run on an opened, loaded adapter, as in a SpeakerId.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStore, STORE_FILE } from '../web/src/stores/file-store.mjs';
import { seededRandom } from './seeded-random.mjs';

const DIM = 192;
const SAMPLES = 3;
const REPS = 9;
const SIZES = [100, 10000, 100000];
const MODEL = { id: 'bench', sha256: '0'.repeat(64), dim: DIM };

const rand = seededRandom();  // the same data every run
const sample = () => ({ embedding: Float32Array.from({ length: DIM }, rand), durationSec: 3.2, speechSec: 2.5,
  createdAt: 1.7e12 });
const samples = () => Array.from({ length: SAMPLES }, sample);

async function timed(fn) {
  const ms = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { medianMs: ms[REPS >> 1], minMs: ms[0], maxMs: ms[REPS - 1] };
}

const rows = [];
for (const speakers of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'sid-bench-stores-'));
  try {
    const store = createFileStore(dir);
    await store.open(MODEL);
    await store.replaceAll(Array.from({ length: speakers }, (_, i) => ({ name: `speaker-${i}`, samples: samples() })));
    const fileBytes = statSync(join(dir, STORE_FILE)).size;
    const load = await timed(() => store.load());
    const enroll = await timed((i) => store.addSamples(`new-${i}`, samples()));
    const rename = await timed((i) => store.rename(`speaker-${i}`, `renamed-${i}`));
    const remove = await timed((i) => store.remove(`speaker-${REPS + i}`));
    rows.push({ speakers, fileBytes, load, enroll, rename, remove });
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({ dim: DIM, samplesPerSpeaker: SAMPLES, reps: REPS, rows }));

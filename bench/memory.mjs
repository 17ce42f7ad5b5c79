// Peak memory against recording length: a fresh process per length creates SpeakerId with the default model,
// reads one 16 kHz mono WAV of real speech (bench/clips.mjs) and embeds it; its peak RSS includes the file it read.
// Recordings over 60 s are embedded in windows (web/src/audio-windows.mjs), so the peak stops growing with length
// but for the file's own bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clipWav } from './clips.mjs';

const INDEX = fileURLToPath(new URL('../web/src/index.mjs', import.meta.url));
const LENGTHS = [3, 60, 600, 3600];
const dir = mkdtempSync(join(tmpdir(), 'sid-bench-memory-'));
const rows = [];
try {
  for (const seconds of LENGTHS) {
    const file = join(dir, `${seconds}s.wav`);
    const wav = clipWav(seconds, 16000);
    writeFileSync(file, wav);
    const script = `import { readFileSync } from 'node:fs';
      import { SpeakerId } from ${JSON.stringify(INDEX)};
      const sid = await SpeakerId.create({ store: 'memory' });
      const base = process.resourceUsage().maxRSS;
      const t0 = performance.now();
      await sid.embed(readFileSync(${JSON.stringify(file)}));
      process.stdout.write(JSON.stringify({ createdRssKb: base, peakRssKb: process.resourceUsage().maxRSS,
        embedMs: performance.now() - t0 }));`;
    const r = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    rows.push({ seconds, fileBytes: wav.length, ...r });
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ rows }));

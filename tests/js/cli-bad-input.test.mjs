// Bad input through the CLI: every broken file gives exit code 2 and one line on stderr saying what is wrong;
// nothing crashes (no signal, no stack trace), and nothing is written for the broken file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sid-bad-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// A valid 16-bit mono 16 kHz WAV of a 440 Hz tone; the cases below break it in one way each.
function wav({ channels = 1, rate = 16000, bits = 16, format = 1, frames = 1600, riffSize, dataSize, fmtSize = 16 } = {}) {
  const blockAlign = channels * (bits / 8);
  const data = Buffer.alloc(Math.min(frames * blockAlign, 1 << 20));
  for (let i = 0; i < data.length / 2; i++) {
    if (bits === 16) data.writeInt16LE(Math.round(8000 * Math.sin(i * 0.17)), i * 2);
  }
  const full = Buffer.alloc(24);
  full.write('fmt ', 0);
  full.writeUInt32LE(fmtSize, 4);
  full.writeUInt16LE(format, 8);
  full.writeUInt16LE(channels, 10);
  full.writeUInt32LE(rate, 12);
  full.writeUInt32LE((rate * blockAlign) % 2 ** 32, 16);
  full.writeUInt16LE(blockAlign % 65536, 20);
  full.writeUInt16LE(bits, 22);
  const fmt = full.subarray(0, 8 + fmtSize);
  const dataHdr = Buffer.alloc(8);
  dataHdr.write('data', 0);
  dataHdr.writeUInt32LE(dataSize ?? data.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, dataHdr, data]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0);
  riff.writeUInt32LE(riffSize ?? body.length, 4);
  return Buffer.concat([riff, body]);
}

const good = wav();
const cases = {
  'empty file': Buffer.alloc(0),
  'not audio at all': Buffer.from('hello, this is text and not a recording\n'.repeat(20)),
  'RIFF header only': good.subarray(0, 12),
  'truncated inside fmt': good.subarray(0, 30),
  'truncated before any sample': good.subarray(0, 44),
  'zero channels': wav({ channels: 0 }),
  'zero sample rate': wav({ rate: 0 }),
  'absurd sample rate': wav({ rate: 4_000_000_000 }),
  'absurd channel count and rate': wav({ channels: 65535, rate: 0xffffffff, frames: 1 }),
  'absurd channel count': wav({ channels: 60000 }),
  'unsupported bit depth': wav({ bits: 12 }),
  'unsupported codec (ADPCM)': wav({ format: 2 }),
  'fmt chunk too small': wav({ fmtSize: 8 }),
  'data size lying (4 GB)': wav({ dataSize: 0xfffffff0, frames: 0 }),
  'no data chunk': good.subarray(0, 36),
};

for (const [name, bytes] of Object.entries(cases)) {
  test(`broken WAV: ${name} -> exit 2 with a reason`, () => {
    const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '_')}.wav`);
    writeFileSync(file, bytes);
    const out = join(dir, 'out');
    const r = runCli(['features', '--frontend', 'ecapa', '--out', out, file]);
    assert.equal(r.signal, null, 'process was killed');
    assert.equal(r.code, 2, `exit ${r.code}; stderr: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0], /^speaker-id: .+: .{10,}/);
    assert.doesNotMatch(r.stderr, /at .*\.m?js:\d+/, 'stack trace leaked');
  });
}

test('the unbroken file passes (the cases above fail for their defect, not the writer)', () => {
  const file = join(dir, 'good.wav');
  writeFileSync(file, good);
  const r = runCli(['features', '--frontend', 'resemblyzer', '--out', join(dir, 'ok'), file]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'ok', 'good', 'mel.npy')));
});

test('missing file, unknown front-end, missing --out and unknown command exit 2', () => {
  for (const args of [
    ['features', '--frontend', 'ecapa', '--out', dir, join(dir, 'does-not-exist.wav')],
    ['features', '--frontend', 'mfcc', '--out', dir, 'x.wav'],
    ['features', '--frontend', 'ecapa', 'x.wav'],
    ['features', '--frontend', 'ecapa', '--out', dir],
    ['frobnicate'],
    ['features', '--bogus'],
  ]) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')} -> ${r.code} ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

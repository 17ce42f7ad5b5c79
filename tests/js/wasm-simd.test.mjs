// The shipped .wasm really contains wasm SIMD instructions (built with -msimd128), checked with wabt's disassembler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers.mjs';

test('speaker_id_core.wasm contains v128 SIMD opcodes', () => {
  const r = spawnSync('wasm-objdump', ['-d', `${ROOT}web/dist/speaker_id_core.wasm`], {
    encoding: 'utf8', maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, r.stderr);
  const simd = r.stdout.match(/\b(v128|f32x4|i32x4|i16x8|i8x16|f64x2|i64x2)\.[a-z_0-9]+/g) ?? [];
  const arith = simd.filter((op) => /^f32x4\.(add|mul|sub)/.test(op));
  assert.ok(simd.length > 100, `only ${simd.length} SIMD instructions`);
  assert.ok(arith.length > 10, `only ${arith.length} f32x4 add/mul/sub instructions`);
});

#!/usr/bin/env bash
# Every test: native Catch2 (ctest), the same Catch2 tests compiled to wasm under Node (ctest), and the JS tests
# (CLI, golden parity through the wasm build, SIMD presence, browsers / Deno / workerd loading).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
echo "== native unit tests (ctest, build/native)"
ctest --test-dir build/native --output-on-failure -j2 || status=1
echo "== wasm unit tests (ctest under Node, build/wasm)"
ctest --test-dir build/wasm --output-on-failure -j2 || status=1
echo "== model parity in PyTorch (models/check_parity.py)"
/usr/bin/python3 models/check_parity.py || status=1
echo "== training features equal the front-end (models/train/check_features.py)"
/usr/bin/python3 models/train/check_features.py || status=1
echo "== JS tests (node --test)"
node --test --test-concurrency=2 tests/js/*.test.mjs || status=1
exit $status

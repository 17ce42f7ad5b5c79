// Cloudflare workerd: the .wasm arrives as a precompiled WebAssembly.Module (compiling from bytes is forbidden
// there) and the glue must run without eval/new Function. `workerd test` calls test() below.
import wasmModule from '../../web/dist/speaker_id_core.wasm';
import { loadCore } from '../../web/src/core.mjs';
import { probe } from './probe.mjs';

export default {
  async test(ctrl, env) {
    const got = JSON.stringify(probe(await loadCore({ wasmModule })));
    if (got !== env.EXPECTED) throw new Error(`workerd probe ${got} != node ${env.EXPECTED}`);
    console.log(`workerd probe ok ${got}`);
  },
};

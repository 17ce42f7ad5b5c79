// Deno: load the core from the package's files and print the probe's JSON (and, given a model, its embedding).
import { loadCore } from '../../web/src/core.mjs';
import { probe } from './probe.mjs';
import { embedProbe } from './embed-probe.mjs';

const model = Deno.args[0];
const result = probe(await loadCore());
if (model) result.embedding = await embedProbe(model);
console.log(JSON.stringify(result));

// Deno: load the core from the package's files and print the probe's JSON.
import { loadCore } from '../../web/src/core.mjs';
import { probe } from './probe.mjs';

console.log(JSON.stringify(probe(await loadCore())));

// Run by tests/js/default-threads.test.mjs in Deno: SpeakerId with the default and with 2 threads asked -> the
// thread count each runs with and the embedding size, as one JSON line.
//   deno run --allow-read=ROOT tests/runtimes/deno-threads.mjs RECORDING
import { SpeakerId } from '../../web/src/index.mjs';

const wav = await Deno.readFile(Deno.args[0]);
const out = {};
for (const threads of [undefined, 2]) {
  const sid = await SpeakerId.create({ threads });
  out[String(threads)] = { threads: sid.threads, dim: (await sid.embed(wav)).length };
  await sid.dispose();
}
console.log(JSON.stringify(out));

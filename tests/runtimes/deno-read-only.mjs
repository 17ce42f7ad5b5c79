// Deno with --allow-read only: the embedded default model enrolls and identifies on the memory store (reading the
// model needs read access, nothing else). Args: DATA_DIR (librispeech_test-other). Prints one JSON line.
import { SpeakerId } from '../../web/src/index.mjs';

const [data] = Deno.args;
const flac = (spk, utt) => Deno.readFileSync(`${data}/${spk}/${spk}-${utt}.flac`);
const sid = await SpeakerId.create();
await sid.enroll('1688', [flac('1688', '142285-0000'), flac('1688', '142285-0001')]);
await sid.enroll('2414', [flac('2414', '128291-0000'), flac('2414', '128291-0001')]);
const answer = (await sid.identify(flac('1688', '142285-0005'))).speaker;
await sid.dispose();
console.log(JSON.stringify({ answer }));

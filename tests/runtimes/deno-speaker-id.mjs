// Deno: the SpeakerId API with the embedded default model on the memory store and on the file store (Node fs
// compatibility). Args: DATA_DIR (librispeech_test-other) STORE_DIR. Prints one JSON line of results.
import { SpeakerId } from '../../web/src/index.mjs';

const [data, storeDir] = Deno.args;
const flac = (spk, utt) => Deno.readFileSync(`${data}/${spk}/${spk}-${utt}.flac`);
const result = {};
for (const store of ['memory', { file: storeDir }]) {
  const sid = await SpeakerId.create({ store });
  await sid.enroll('1688', [flac('1688', '142285-0000'), flac('1688', '142285-0001')]);
  await sid.enroll('2414', [flac('2414', '128291-0000'), flac('2414', '128291-0001')]);
  const same = await sid.identify(flac('1688', '142285-0005'));
  const other = await sid.identify(flac('2414', '128291-0005'));
  const unknown = await sid.identify(flac('3005', '163389-0005'));
  result[store === 'memory' ? 'memory' : 'file'] = {
    speakers: (await sid.speakers()).map((s) => [s.name, s.samples]),
    answers: [same.speaker, other.speaker, unknown.speaker],
    exportBytes: (await sid.exportProfiles()).length,
  };
  await sid.dispose();
}
console.log(JSON.stringify(result));

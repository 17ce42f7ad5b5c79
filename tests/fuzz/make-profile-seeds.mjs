// Seeds for fuzz_profile_blob: real profile exports (the default model on real speech from ../shared/audio, or any
// folder of <speaker>/<recordings> given as the second argument): empty, one speaker, several speakers.
//   node tests/fuzz/make-profile-seeds.mjs OUT_DIR [SPEECH_DIR]
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpeakerId } from '../../web/src/index.mjs';

const [out, speechDir = fileURLToPath(new URL('../../../shared/audio/librispeech_test-other', import.meta.url))] =
  process.argv.slice(2);
if (!out) {
  console.error('usage: node tests/fuzz/make-profile-seeds.mjs OUT_DIR [SPEECH_DIR]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const sid = await SpeakerId.create();
writeFileSync(join(out, 'empty.sidp'), await sid.exportProfiles());
const speakers = readdirSync(speechDir).sort().slice(0, 3);
for (const [i, spk] of speakers.entries()) {
  const files = readdirSync(join(speechDir, spk)).sort().slice(0, i + 1);
  await sid.enroll(`speaker ${spk} ✓`, files.map((f) => readFileSync(join(speechDir, spk, f))));
  writeFileSync(join(out, `${i + 1}-speakers.sidp`), await sid.exportProfiles());
}
await sid.dispose();
console.log(`seeds written to ${out}`);

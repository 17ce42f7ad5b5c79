// `npm start`: the main job on the embedded default model. On ../shared/audio/librispeech_test-other (or a folder
// given as argument, laid out DIR/<speaker>/**/<recording>): enroll 3 recordings per speaker, identify the others,
// and score every pair — i.e. `speaker-id eval` with the default model.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = process.argv[2] ?? `${root}../shared/audio/librispeech_test-other`;
if (!existsSync(dir)) {
  console.error(`speaker-id: ${dir} not found: pass a folder of DIR/<speaker>/**/<recording> as argument`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [`${root}web/cli/speaker-id.mjs`, 'eval', '--enroll', '3', dir],
  { stdio: 'inherit' });
process.exit(r.status ?? 1);

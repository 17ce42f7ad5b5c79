// `npm start`: the main job on the embedded default model. On ../shared/audio/librispeech_test-other (or a folder
// given as argument, laid out DIR/<speaker>/**/<recording>): enroll 3 recordings per speaker, identify the others,
// and score every pair — i.e. `speaker-id eval --enroll 3 DIR`, run in this process.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = process.argv[2] ?? `${root}../shared/audio/librispeech_test-other`;
if (existsSync(dir)) {
  process.exitCode = await runCli(['eval', '--enroll', '3', dir]);
} else {
  console.error(`speaker-id: ${dir} not found: pass a folder of DIR/<speaker>/**/<recording> as argument`);
  process.exitCode = 2;
}

// Reading and decoding one input file for the CLI commands; errors name the file.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { decodeAudio } from '../src/audio-decode.mjs';
import { InvalidAudioError } from '../src/errors.mjs';
import { encodeNpy } from '../src/npy.mjs';

export async function readAudioFile(core, file) {
  let bytes;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InvalidAudioError(`${file}: cannot read (${err.code ?? err.message})`);
  }
  try {
    return await decodeAudio(core, bytes);
  } catch (err) {
    err.message = `${file}: ${err.message}`;
    throw err;
  }
}

/** Write { name: { data, shape } } as DIR/<file name without extension>/<name>.npy; returns that folder. */
export async function writeStages(outDir, file, stages) {
  const dir = join(outDir, basename(file, extname(file)));
  await mkdir(dir, { recursive: true });
  for (const [name, { data, shape }] of Object.entries(stages)) {
    await writeFile(join(dir, `${name}.npy`), encodeNpy(data, shape));
  }
  return dir;
}

/** Run fn, prefixing the message of any error it throws with the file name. */
export async function forFile(file, fn) {
  try {
    return await fn();
  } catch (err) {
    if (!String(err.message).startsWith(file)) err.message = `${file}: ${err.message}`;
    throw err;
  }
}

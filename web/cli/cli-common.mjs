// What every command shares besides its options: the usage error, naming a file in an error, reading an input file.
import { readFile } from 'node:fs/promises';
import { InvalidAudioError } from '../src/errors.mjs';

/** Wrong command line: exit 2 like a SpeakerIdError. */
export class UsageError extends Error {}

const NAMED = Symbol('names its file');

/** Prefixes err's message with `path: ` once (an error already naming its file is left as it is); returns err. */
export function fileError(path, err) {
  if (!err[NAMED]) {
    err.message = `${path}: ${err.message}`;
    err[NAMED] = true;
  }
  return err;
}

/** Runs fn; whatever it throws names `path`. */
export async function forFile(path, fn) {
  try {
    return await fn();
  } catch (err) {
    throw fileError(path, err);
  }
}

/** The bytes of an input file; an unreadable file is bad input (`ErrorClass`) naming the file. */
export async function readInput(file, ErrorClass = InvalidAudioError) {
  try {
    return await readFile(file);
  } catch (err) {
    throw fileError(file, new ErrorClass(`cannot read (${err.code ?? err.message})`));
  }
}

export const out = (line) => process.stdout.write(line + '\n');

/** A quality report's issues (clipping, too quiet, partly decoded, ...) as warnings on stderr naming the file. */
export function warnQuality(file, quality) {
  for (const issue of quality.issues) process.stderr.write(`speaker-id: warning: ${file}: ${issue.message}\n`);
}

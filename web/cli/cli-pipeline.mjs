// The CLI's only calls below the SpeakerId API, for the commands that show what happens inside it (`features`,
// `embed`): decoding, the front-end stages and the stage-level embedder. When runFrontend / Embedder change, this
// file is what follows.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { decodeAudio } from '../src/audio-decode.mjs';
import { loadCore } from '../src/core.mjs';
import { Embedder } from '../src/embedder.mjs';
import { FRONTENDS, runFrontend } from '../src/frontends.mjs';
import { resolveModel } from '../src/model-registry.mjs';
import { encodeNpy } from '../src/npy.mjs';
import { partialDecodeMessage } from '../src/quality.mjs';
import { forFile, readInput } from './cli-common.mjs';

export { FRONTENDS };

async function decodeFile(core, file) {
  const bytes = await readInput(file);
  const audio = await forFile(file, () => decodeAudio(core, bytes));
  if (audio.partialDecode) process.stderr.write(`speaker-id: warning: ${file}: ${partialDecodeMessage(audio.partialDecode)}\n`);
  return audio;
}

/** The front-end stages of `file` -> runFrontend's result ({ stages, durationSec, sampleRate, channels, ... }). */
export async function frontendStages(frontend, file, { preprocess } = {}) {
  const core = await loadCore();
  const audio = await decodeFile(core, file);
  return forFile(file, () => runFrontend(core, frontend, audio, { preprocess }));
}

/**
 * The embedder of `model` (manifest id, .onnx path, or undefined for the default) ->
 * { model, backend ('native' | 'wasm' | 'core'), threads, embedFile(file) -> { audio, embedding, partials?, stages?, durationSec },
 * dispose() }; `stages`: keep every front-end stage, `preprocess`: 'upstream' | 'speaker-id'.
 */
export async function openEmbedder(model, threads, { preprocess, stages = false } = {}) {
  const core = await loadCore();
  const resolved = await resolveModel(model);
  const embedder = await Embedder.create(core, resolved, { threads });
  return {
    model: resolved,
    backend: embedder.backend,
    threads: embedder.threads,
    async embedFile(file) {
      const audio = await decodeFile(core, file);
      return { audio, ...(await forFile(file, () => embedder.embed(audio, { preprocess, stages }))) };
    },
    dispose: () => embedder.dispose(),
  };
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

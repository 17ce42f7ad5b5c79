// speaker-id public entry point.
export { SpeakerId } from './speaker-id.mjs';
export { loadCore } from './core.mjs';
export { decodeAudio, sniffContainer } from './audio-decode.mjs';
export { prepareAudio, runFrontend, FRONTENDS, TARGET_RATE } from './frontends.mjs';
export { encodeNpy, decodeNpy } from './npy.mjs';
export { Embedder } from './embedder.mjs';
export { resolveModel, defaultModelId, loadManifest } from './model-registry.mjs';
export { toDecodedAudio } from './audio-input.mjs';
export { SpeakerIdError, InvalidAudioError, InvalidArgumentError } from './errors.mjs';

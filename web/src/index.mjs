// speaker-id public entry point (grows with the SpeakerId API; today: the core loader and the front-ends).
export { loadCore } from './core.mjs';
export { decodeAudio, sniffContainer } from './audio-decode.mjs';
export { prepareAudio, runFrontend, FRONTENDS, TARGET_RATE } from './frontends.mjs';
export { encodeNpy, decodeNpy } from './npy.mjs';
export { SpeakerIdError, InvalidAudioError, InvalidArgumentError } from './errors.mjs';

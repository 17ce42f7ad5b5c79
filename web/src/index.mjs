// speaker-id public entry point.
export { SpeakerId } from './speaker-id.mjs';
export { loadCore } from './core.mjs';
export { setAssetBase, getAssetBase, ASSET_NAMES } from './assets.mjs';
export { decodeAudio, sniffContainer } from './audio-decode.mjs';
export { ModelFrontend, runFrontend, FRONTENDS, PREPROCESS, TARGET_RATE } from './frontends.mjs';
export { encodeNpy, decodeNpy } from './npy.mjs';
export { Embedder } from './embedder.mjs';
export { resolveModel, defaultModelId, loadManifest } from './model-registry.mjs';
export { toDecodedAudio, toAudioInput } from './audio-input.mjs';
export { DEFAULT_QUALITY } from './quality.mjs';
export { createMemoryStore } from './stores/memory-store.mjs';
export { createIndexedDbStore } from './stores/indexeddb-store.mjs';
export { createDurableObjectStore } from './stores/durable-object-store.mjs';
export { ADAPTER_METHODS, checkAdapter } from './stores/store-interface.mjs';
export {
  SpeakerIdError, InvalidAudioError, InvalidArgumentError, AudioTooShortError, NoVoiceError, ClippingError,
  TooQuietError, UnknownSpeakerError, SpeakerExistsError, ModelMismatchError, WrongKeyError, InvalidProfileError, StoreError,
  InternalError, DisposedError, ERROR_CLASSES, errorFromCode,
} from './errors.mjs';

// TypeScript declarations of the speaker-id public API (web/src/index.mjs). Checked by tests/types (tsc --strict,
// skipLibCheck off) in a DOM project and in Node-only projects ("lib": ["ES2022"], with or without @types/node).

// The few host types the API mentions (Blob, IDBFactory, WebAssembly.Module) are not in every project's lib: Node
// projects have no DOM lib. Each is the host's own type where the project declares it (so DOM users keep the exact
// types) and, where it does not, what the library needs of it (or nothing, for a Blob a project cannot name).
type HostBlob = typeof globalThis extends { Blob: { prototype: infer B } } ? B : never;
/** The host's IDBFactory (DOM lib); without the DOM lib, any object that opens databases (e.g. fake-indexeddb). */
export type IndexedDbFactory = typeof globalThis extends { IDBFactory: { prototype: infer F } } ? F
  : { open(name: string, version?: number): unknown };
/** The host's WebAssembly.Module (DOM lib); without the DOM lib, an object. */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : object;

/** Audio a SpeakerId accepts. Encoded bytes: WAV (C++ decoder), FLAC/Ogg/MP3/Opus (WebAudio or wasm decoders). */
export type AudioInput =
  | ArrayBuffer
  | Uint8Array
  | DataView
  | HostBlob
  | AudioBufferLike
  | { samples: Float32Array; sampleRate: number }
  | DecodedAudio;

export interface AudioBufferLike {
  numberOfChannels: number;
  sampleRate: number;
  length: number;
  getChannelData(channel: number): Float32Array;
}

/** Decoded PCM as decodeAudio() returns it. */
export interface DecodedAudio {
  sampleRate: number;
  channels: number;
  interleaved: Float32Array;
  /** Only when the file declares more audio than could be decoded (cut off, or a damaged frame). */
  partialDecode?: PartialDecode;
}

/**
 * A file that decoded only in part: the decoders stop at a damaged frame or at the cut and return the audio before
 * it. Detected where the container declares its length: FLAC (STREAMINFO total samples; more than one block short)
 * and Ogg Opus / Vorbis (the last page's granule position; more than 10 ms short). Not reported: MP3, other
 * containers, and WAV (the core decodes the whole frames a cut data chunk holds).
 */
export interface PartialDecode {
  format: 'flac' | 'ogg';
  /** What the container declares, seconds. */
  declaredSec: number;
  /** What was decoded (and is used), seconds. */
  decodedSec: number;
}

/** too_short / no_voice refuse a recording; clipping / too_quiet are warnings (refusals with strict: true);
 *  partial_decode is a warning: only the part of a damaged file before the damage was decoded and used. */
export type QualityCode = 'too_short' | 'no_voice' | 'clipping' | 'too_quiet' | 'partial_decode';

export interface QualityIssue {
  code: QualityCode;
  message: string;
}

/** Measurements and findings for one recording. Levels in dBFS (full scale 1.0; -120 = digital silence). */
export interface QualityReport {
  durationSec: number;
  speechSec: number;
  speechDbfs: number;
  peakDbfs: number;
  clippedFraction: number;
  issues: QualityIssue[];
  /** Only for a file decoded in part (then also a partial_decode issue): the figures are of the decoded part. */
  partialDecode?: PartialDecode;
}

export interface QualityOptions {
  /** enroll: less speech than this is refused (AudioTooShortError). Default 1.0 s. */
  minSpeechSec?: number;
  /** identify / verify: less speech than this is refused. Default 0 (only "no voice at all"). */
  minIdentifySpeechSec?: number;
  /** Speech per speaker that counts as 100 % enrolled. Default 15 s. */
  recommendedSpeechSec?: number;
  /** Speech RMS below this is too_quiet. Default -38 dBFS. */
  quietDbfs?: number;
  /** Clipped-sample fraction above this is clipping. Default 0.001. */
  maxClippedFraction?: number;
  /** Refuse clipping / too_quiet recordings too (otherwise they are warnings). Default false. */
  strict?: boolean;
  vadMode?: 0 | 1 | 2 | 3;
  minWindowDbfs?: number;
  clipLevel?: number;
}

export const DEFAULT_QUALITY: Readonly<Required<QualityOptions>>;

export interface ModelInfo {
  readonly id: string;
  readonly family: 'resemblyzer' | 'ecapa';
  readonly frontend: 'resemblyzer' | 'ecapa';
  readonly dim: number;
  /** sha256 of the ONNX file; every stored profile records it. */
  readonly sha256: string;
  /** The calibrated default threshold (raw cosine), if the manifest has one. */
  readonly threshold?: number;
  /**
   * The calibrated confidence map, if the model has one: confidence = 1 / (1 + exp(-(a * score + b))), the
   * probability that a trial is same-speaker, fitted on held-out validation trials.
   */
  readonly calibration?: { readonly kind: 'logistic'; readonly a: number; readonly b: number };
}

/** WebCrypto's CryptoKey where the lib has it (DOM, Node's types), else any object. */
export type CryptoKeyLike = typeof globalThis extends { CryptoKey: { prototype: infer K } } ? K : object;

/** A decision threshold: a raw cosine in [-1, 1], or a calibrated confidence in (0, 1) (a calibrated model only). */
export type Threshold = number | { confidence: number };

// ---- storage --------------------------------------------------------------------------------------------------

export interface StoredSample {
  embedding: Float32Array;
  durationSec: number;
  speechSec: number;
  /** ms since the Unix epoch */
  createdAt: number;
}

export interface StoredSpeaker {
  name: string;
  samples: StoredSample[];
}

export interface StoreModel {
  id: string;
  sha256: string;
  dim: number;
}

export type VersionToken = string | number;

export interface Committed {
  before: VersionToken;
  after: VersionToken;
}

/** The storage adapter interface (web/src/stores/store-interface.mjs has the full contract). */
export interface StoreAdapter {
  open(model: StoreModel): Promise<void>;
  load(): Promise<{ version: VersionToken; speakers: StoredSpeaker[] }>;
  version(): Promise<VersionToken>;
  addSamples(name: string, samples: StoredSample[]): Promise<Committed>;
  remove(name: string): Promise<Committed & { removed: boolean }>;
  rename(from: string, to: string): Promise<Committed>;
  reset(): Promise<Committed>;
  replaceAll(speakers: StoredSpeaker[]): Promise<Committed>;
  addSpeakers(speakers: StoredSpeaker[]): Promise<Committed>;
  close(): Promise<void>;
}

export type StoreOption =
  | 'memory'
  | 'indexeddb'
  | { indexeddb: IndexedDbStoreOptions }
  | { file: string; lockTimeoutMs?: number }
  | StoreAdapter;

export const ADAPTER_METHODS: readonly string[];
export function checkAdapter<T extends StoreAdapter>(adapter: T): T;
export function createMemoryStore(): StoreAdapter;

export interface IndexedDbStoreOptions {
  /** Database name prefix (one database per model: `${name}/${model.id}`). Default 'speaker-id'. */
  name?: string;
  /** The IndexedDB factory. Default: globalThis.indexedDB. */
  indexedDB?: IndexedDbFactory;
  /** How long open() waits for another tab that blocks a schema upgrade. Default 10000 ms. */
  blockedTimeoutMs?: number;
}
export function createIndexedDbStore(options?: IndexedDbStoreOptions): StoreAdapter;

/**
 * The part of a SQLite-backed Durable Object's `ctx.storage` the Durable Object store uses (Cloudflare's
 * DurableObjectStorage fits it): the synchronous KV API, synchronous transactions and sync().
 */
export interface DurableObjectStorageLike {
  kv: {
    get(key: string): unknown;
    put(key: string, value: unknown): void;
    delete(key: string): boolean;
    list(options?: { prefix?: string }): Iterable<[string, unknown]>;
  };
  transactionSync<T>(closure: () => T): T;
  sync(): Promise<void>;
}
export interface DurableObjectStoreOptions {
  /** Prefix of every key the store writes, so several stores can share one object. Default 'sid:'. */
  prefix?: string;
}
/** A store adapter over a Durable Object's storage (Cloudflare Workers: one object per tenant). */
export function createDurableObjectStore(storage: DurableObjectStorageLike, options?: DurableObjectStoreOptions): StoreAdapter;

// ---- SpeakerId -------------------------------------------------------------------------------------------------

export interface CreateOptions {
  /**
   * Manifest id, path/URL of an .onnx exported by models/export.py, or the .onnx bytes (where there is no file system,
   * e.g. Cloudflare Workers: bytes the manifest knows by sha256 are that model, others get the id `sha256-<16 hex>`
   * unless their ONNX metadata names one). Default: the embedded compact model.
   */
  model?: string | Uint8Array | ArrayBuffer;
  /** Default 'memory'. */
  store?: StoreOption;
  /**
   * Encryption at rest: every stored sample (embedding and numbers) is AES-GCM ciphertext in the store. A CryptoKey
   * (AES-GCM, usages encrypt and decrypt) or a passphrase (PBKDF2-SHA-256). Names are not encrypted.
   */
  encryption?: { key: CryptoKeyLike } | { passphrase: string };
  /** Decision threshold (raw cosine in [-1, 1], or { confidence }). Default: the model's calibrated threshold. */
  threshold?: Threshold;
  quality?: QualityOptions;
  /**
   * ONNX Runtime threads (wasm threads, or the native session's intra-op threads). Default: every core up to 4 in
   * Node and in cross-origin isolated pages, else 1 (Deno and Cloudflare workerd always run 1). Where ORT would be
   * its wasm build, fp32 ECAPA-TDNN models (the default) run on the core's own network, on one thread, unless more
   * than one is asked for here (then ONNX Runtime Web runs them, with threads where the page is isolated).
   */
  threads?: number;
  /** Create the inference session on the first call that needs it (store-only work never pays for it). Default false. */
  lazy?: boolean;
  /** 'upstream' (default): the model family's own pipeline. 'speaker-id': the Python Speaker-ID service's
   *  enhancement first (energy trim 30 dB, best 3 s window, peak 0.9, pre-emphasis 0.97). */
  preprocess?: Preprocess;
  /** The core's .wasm as a precompiled module (required in Cloudflare workerd). */
  wasmModule?: WasmModule;
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export interface EnrollResult<Q = QualityReport> {
  speaker: string;
  /** The speaker's sample count after this call. */
  samples: number;
  /** Samples added by this call. */
  added: number;
  quality: Q;
  /** Total speech of the speaker, seconds. */
  speechSec: number;
  /** 0..100 toward QualityOptions.recommendedSpeechSec. */
  enrollmentPercent: number;
}

export interface Candidate {
  name: string;
  score: number;
  /** The calibrated confidence of score (calibrated models only). */
  confidence?: number;
}

export interface IdentifyResult {
  /** The best speaker when its score >= threshold, else null (unknown). */
  speaker: string | null;
  score: number;
  /** The calibrated confidence of score (calibrated models only). */
  confidence?: number;
  candidates: Candidate[];
  /** The threshold in use as a raw cosine, and on the confidence scale (calibrated models only). */
  threshold: number;
  thresholdConfidence?: number;
  quality: QualityReport;
}

export interface VerifyResult {
  speaker: string;
  accepted: boolean;
  score: number;
  confidence?: number;
  threshold: number;
  thresholdConfidence?: number;
  quality: QualityReport;
}

export interface SpeakerInfo {
  name: string;
  samples: number;
  durationSec: number;
  speechSec: number;
  enrollmentPercent: number;
  firstCreatedAt: number;
  lastCreatedAt: number;
}

/** A segment of one speaker (null: a voice that is no enrolled speaker), seconds from the stream's first sample. */
export interface StreamEvent {
  start: number;
  end: number;
  speaker: string | null;
  /** Mean score of the segment's windows; confidence: its calibrated confidence (calibrated models only). */
  score: number;
  confidence?: number;
  /** The candidates of the segment's last window. */
  candidates: Candidate[];
  /** false: the segment going on (it grows; the same start); true: it ended. */
  final: boolean;
}

export interface StreamOptions {
  /** Hz of the PCM pushed. */
  sampleRate: number;
  /** Interleaved channels of the PCM pushed (default 1). */
  channels?: number;
  /** Analysis window (default 2 s) and the step between windows (default 0.5 s). */
  windowSec?: number;
  hopSec?: number;
  /** Speech a window needs to be given an identity (default 0.5 s). */
  minSpeechSec?: number;
  /** A run of one label shorter than this between two segments is split between them (default 1.5 s). */
  minSegmentSec?: number;
  topK?: number;
  threshold?: Threshold;
  onEvent?: (event: StreamEvent) => void;
}

export interface IdentifyStream {
  readonly sampleRate: number;
  readonly channels: number;
  readonly windowSec: number;
  readonly hopSec: number;
  /** Appends interleaved PCM; resolves to the events it caused (ended segments, then the one going on). */
  push(pcm: Float32Array): Promise<StreamEvent[]>;
  /** No more audio: resolves to the last events (all final). */
  end(): Promise<StreamEvent[]>;
}

/**
 * What runs a SpeakerId's model: ONNX Runtime ('native': onnxruntime-node; 'wasm': ONNX Runtime Web) or 'core': the
 * core's own network (fp32 ECAPA-TDNN models, the default included, where ONNX Runtime would be its wasm build).
 */
export type InferenceBackend = 'native' | 'wasm' | 'core';

export class SpeakerId {
  static create(options?: CreateOptions): Promise<SpeakerId>;
  readonly model: ModelInfo;
  /** The threshold in use (CreateOptions.threshold or the model's). */
  readonly threshold: number | undefined;
  /**
   * What runs the model: 'native' (onnxruntime-node, in Node when it is installed), 'core' (the core's own network:
   * fp32 ECAPA-TDNN models, the default included, wherever ONNX Runtime would be its wasm build and no more than one
   * thread is asked for) or 'wasm' (ONNX Runtime Web); null while a lazy SpeakerId has not created its session yet.
   * In Node, SPEAKER_ID_BACKEND=native|wasm|core forces one.
   */
  readonly backend: InferenceBackend | null;
  /** The thread count the model runs with (1 on the core's network); null while a lazy SpeakerId has no session yet. */
  readonly threads: number | null;
  embed(audio: AudioInput): Promise<Float32Array>;
  enroll(name: string, audio: AudioInput): Promise<EnrollResult<QualityReport>>;
  enroll(name: string, audio: AudioInput[]): Promise<EnrollResult<QualityReport[]>>;
  identify(audio: AudioInput, options?: { topK?: number; threshold?: Threshold }): Promise<IdentifyResult>;
  verify(name: string, audio: AudioInput, options?: { threshold?: Threshold }): Promise<VerifyResult>;
  /** Streaming identification: push PCM chunks, get segments of who spoke as speech arrives. */
  stream(options: StreamOptions): IdentifyStream;
  /** Who spoke when in a recording: the final segments of a stream over all of it. */
  timeline(audio: AudioInput, options?: Omit<StreamOptions, 'sampleRate' | 'channels'>): Promise<StreamEvent[]>;
  speakers(): Promise<SpeakerInfo[]>;
  /** The enrolled samples themselves (copies), enrollment order. */
  profiles(): Promise<{ name: string; samples: StoredSample[] }[]>;
  remove(name: string): Promise<boolean>;
  rename(from: string, to: string): Promise<void>;
  reset(): Promise<void>;
  exportProfiles(): Promise<Uint8Array>;
  importProfiles(bytes: ArrayBuffer | ArrayBufferView, options?: { mode?: 'replace' | 'merge' }): Promise<{ speakers: number; samples: number }>;
  dispose(): Promise<void>;
}

// ---- errors ----------------------------------------------------------------------------------------------------

export type ErrorCode =
  | 'invalid_audio' | 'invalid_argument' | 'too_short' | 'no_voice' | 'clipping' | 'too_quiet' | 'unknown_speaker'
  | 'speaker_exists' | 'model_mismatch' | 'wrong_key' | 'invalid_profile' | 'store_error' | 'internal' | 'disposed';

export class SpeakerIdError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  /** For enroll() with several recordings: which one was refused. */
  index?: number;
}
export class InvalidAudioError extends SpeakerIdError { readonly code: 'invalid_audio'; }
export class InvalidArgumentError extends SpeakerIdError { readonly code: 'invalid_argument'; }
export class AudioTooShortError extends SpeakerIdError { readonly code: 'too_short'; readonly details: QualityReport; }
export class NoVoiceError extends SpeakerIdError { readonly code: 'no_voice'; readonly details: QualityReport; }
export class ClippingError extends SpeakerIdError { readonly code: 'clipping'; readonly details: QualityReport; }
export class TooQuietError extends SpeakerIdError { readonly code: 'too_quiet'; readonly details: QualityReport; }
export class UnknownSpeakerError extends SpeakerIdError { readonly code: 'unknown_speaker'; }
export class SpeakerExistsError extends SpeakerIdError { readonly code: 'speaker_exists'; }
export class ModelMismatchError extends SpeakerIdError { readonly code: 'model_mismatch'; }
/** An encrypted store this key cannot open (another key, or altered). */
export class WrongKeyError extends SpeakerIdError { readonly code: 'wrong_key'; }
export class InvalidProfileError extends SpeakerIdError { readonly code: 'invalid_profile'; }
export class StoreError extends SpeakerIdError { readonly code: 'store_error'; }
/** A failure inside the library that is not the caller's input (out of memory, a bug). */
export class InternalError extends SpeakerIdError { readonly code: 'internal'; }
export class DisposedError extends SpeakerIdError { readonly code: 'disposed'; }
export const ERROR_CLASSES: Readonly<Record<ErrorCode, new (message: string, details?: unknown) => SpeakerIdError>>;
/** The typed error of a code (unknown codes give InternalError). */
export function errorFromCode(code: string, message: string): SpeakerIdError;

// ---- where the files are (web/src/assets.mjs; README "Using it in a web app") ------------------------------------

/** A URL object (or anything with an href): declared here so that projects without the DOM or Node types compile. */
export interface UrlLike { readonly href: string; toString(): string }
/** The files looked up under an asset base (the core's .wasm, the default model, ONNX Runtime's .wasm; in web/dist/). */
export const ASSET_NAMES: readonly string[];
/**
 * Look up the core's .wasm, the default model and ONNX Runtime's .wasm under `base` (a folder URL, or a string
 * relative to the page; a copy of the package's web/dist/), instead of the locations Vite / webpack / Parcel bundle. For esbuild and for hosting the files elsewhere. Call it before the first SpeakerId.create() /
 * loadCore() (it throws after); `null` goes back to the bundled locations. The prebuilt web/dist/speaker-id.js
 * starts with its own folder.
 */
export function setAssetBase(base: string | UrlLike | null): void;
/** The asset base in use (a URL), or null for the bundled locations. */
export function getAssetBase(): UrlLike | null;

// ---- lower-level building blocks ---------------------------------------------------------------------------------

export function loadCore(options?: { wasmModule?: WasmModule; wasmBinary?: ArrayBuffer | Uint8Array }): Promise<unknown>;
export function decodeAudio(core: unknown, bytes: ArrayBuffer | ArrayBufferView): Promise<DecodedAudio>;
export function sniffContainer(bytes: Uint8Array): string;
export function toDecodedAudio(core: unknown, audio: AudioInput): Promise<DecodedAudio>;
/** What the front-end takes: encoded WAV bytes as they are (decoded in C++), anything else decoded to PCM. */
export function toAudioInput(core: unknown, audio: AudioInput): Promise<FrontendAudio>;
export type FrontendAudio = { wav: Uint8Array } | DecodedAudio;
export type Preprocess = 'upstream' | 'speaker-id';
export const PREPROCESS: readonly Preprocess[];
export const FRONTENDS: readonly ['resemblyzer', 'ecapa'];
export const TARGET_RATE: 16000;
/** A model family's facts, from the C++ core (src/pipeline/model_family.h). */
export interface FamilySpec {
  family: 'resemblyzer' | 'ecapa';
  embeddingDim: number;
  bands: number;
  /** Frames per model input row: 160 (Resemblyzer partials) or 0 (ECAPA: the whole utterance). */
  partialFrames: number;
  minFrames: number;
  pooling: 'mean_l2' | 'first_row';
  stages: string[];
}
export interface Stage { data: Float32Array | Uint8Array | Int32Array; shape: number[] }
export interface FrontendResult {
  modelInput: { data: Float32Array; shape: number[] };
  frames: number;
  durationSec: number;
  sampleRate: number;
  channels: number;
  /** Speech / level / clipping measurements, when quality options were given. */
  measurements?: Record<string, number>;
  /** Every intermediate stage (names as in the golden data), when asked. */
  stages?: Record<string, Stage>;
}
/** Audio -> model input for one family, in one call into the core; reuse it, dispose() when done. */
export class ModelFrontend {
  constructor(core: unknown, family: 'resemblyzer' | 'ecapa');
  readonly spec: FamilySpec;
  run(audio: FrontendAudio, options?: { quality?: QualityOptions; stages?: boolean; preprocess?: Preprocess }): FrontendResult;
  pool(rows: Float32Array, count: number): Float32Array;
  dispose(): void;
}
/** One front-end run with every stage kept. */
export function runFrontend(core: unknown, family: 'resemblyzer' | 'ecapa', audio: FrontendAudio,
  options?: { quality?: QualityOptions; preprocess?: Preprocess }): FrontendResult & { stages: Record<string, Stage> };
export function encodeNpy(array: ArrayBufferView, shape: number[]): Uint8Array;
export function decodeNpy(bytes: Uint8Array): { data: ArrayBufferView; shape: number[] };
export class Embedder {
  /** Front-end and inference session ready. */
  static create(core: unknown, model: unknown, options?: { threads?: number }): Promise<Embedder>;
  /** The front-end now, the session on ready() or the first embed(). */
  constructor(core: unknown, model: unknown, options?: { threads?: number });
  readonly spec: FamilySpec;
  ready(): Promise<unknown>;
  embed(audio: FrontendAudio, options?: { stages?: boolean; preprocess?: Preprocess; quality?: QualityOptions }):
    Promise<{ embedding: Float32Array; durationSec: number; stages?: Record<string, Stage>; partials?: Stage }>;
  dispose(): Promise<void>;
}
export function resolveModel(model?: string | Uint8Array | ArrayBuffer): Promise<ModelInfo & { bytes: Uint8Array; inputName: string; outputName: string }>;
export function defaultModelId(): Promise<string>;
export function loadManifest(): Promise<{ models: Array<Record<string, unknown>> }>;

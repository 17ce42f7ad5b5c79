// The SpeakerId object users program against (DESIGN.md, "Interfaces"): enroll / identify / verify / embed, the
// enrolled speakers, profile export / import, on any model, with enrollments kept by a storage adapter.
//
// State: the gallery lives in wasm memory (C++ match/gallery); the store is the durable source of truth. Every
// call first checks the store's version token and reloads the gallery when another writer (a second tab, another
// process) changed it; every mutation is committed by the store before the gallery changes and the promise
// resolves. Calls on one SpeakerId run one at a time, in call order.
import { decisionRule, makeCalibration, modelDecision, rawAt } from './calibration.mjs';
import { loadCore } from './core.mjs';
import { Embedder } from './embedder.mjs';
import { startRuntime } from './onnx-session.mjs';
import { coreNetworkChoice } from './network-session.mjs';
import { asBytes } from './audio-decode.mjs';
import { pcmChunks } from './audio-windows.mjs';
import { toAudioInput } from './audio-input.mjs';
import { checkPreprocess } from './frontends.mjs';
import { resolveModel, shippedCoreModel } from './model-registry.mjs';
import { DisposedError, InvalidArgumentError, InvalidAudioError, ModelMismatchError, SpeakerIdError,
  UnknownSpeakerError } from './errors.mjs';
import { Gallery, decodeProfiles, speakerName } from './gallery.mjs';
import { IdentifyStream, STREAM_DEFAULTS } from './identify-stream.mjs';
import { enrollmentPercent, qualityOptions, qualityReport, refuseOnQuality } from './quality.mjs';
import { encryptStore, encryptionKey } from './stores/encrypted-store.mjs';
import { openStoreOption } from './stores/open-store.mjs';

const DEFAULT_TOP_K = 5;
const CREATE_OPTIONS = ['model', 'store', 'threshold', 'quality', 'threads', 'lazy', 'preprocess', 'encryption',
  'wasmModule', 'wasmBinary'];
const IMPORT_MODES = ['replace', 'merge'];

// Starts ONNX Runtime's load (onnx-session.mjs startRuntime) unless `model` is one the core's network will run
// (embedder.mjs openModelSession: a shipped fp32 ECAPA-TDNN, where ORT would be its wasm build, on one thread).
function startRuntimeUnlessCore(model, threads) {
  (async () => {
    if (await coreNetworkChoice(threads) && await shippedCoreModel(model).catch(() => false)) return;
    await startRuntime({ threads });
  })().catch(() => {});  // a refused SPEAKER_ID_BACKEND is the session's error
}

export class SpeakerId {
  /**
   * Options (all optional):
   *  model      manifest id or .onnx path/URL (default: the embedded compact model)
   *  store      'memory' (default) | 'indexeddb' | { indexeddb: { name } } | { file: DIR } | a store adapter
   *  threshold  decision threshold: a raw cosine, or { confidence: c } on the model's calibrated scale (calibration.mjs);
   *             default: the model's calibrated threshold from the manifest (for a duration-aware calibration its
   *             confidence, whose raw cosine depends on the probe's duration)
   *  quality    enrollment quality thresholds (quality.mjs DEFAULT_QUALITY)
   *  threads    ONNX Runtime threads: wasm threads, or the native session's intra-op threads. Default: every core
   *             up to 4 in Node and in cross-origin isolated pages, else 1 (Deno and workerd: always 1)
   *  preprocess 'upstream' (default: the model family's own pipeline, golden-exact) | 'speaker-id' (the Python
   *             Speaker-ID service's enhancement first: energy trim, best 3 s, peak 0.9, pre-emphasis)
   *  lazy       true: create the inference session on the first call that needs it (embed / enroll / identify /
   *             verify), so store-only work (speakers, rename, export, ...) never pays for it (default false)
   *  encryption { key: CryptoKey } | { passphrase }: every stored sample is AES-GCM ciphertext in the store
   *             (stores/encrypted-store.mjs); a store of another key is refused with WrongKeyError
   *  wasmModule / wasmBinary   the core's .wasm (e.g. a precompiled module in workerd)
   */
  static async create(options = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('SpeakerId.create options must be an object');
    const unknown = Object.keys(options).filter((k) => !CREATE_OPTIONS.includes(k));
    if (unknown.length) {
      throw new InvalidArgumentError(`unknown SpeakerId.create option(s) ${unknown.join(', ')}; accepted: ${CREATE_OPTIONS.join(', ')}`);
    }
    const { model, store, threshold, quality, threads, lazy = false, preprocess = 'upstream', encryption,
      wasmModule, wasmBinary } = options;
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
      throw new InvalidArgumentError(`threads must be an integer in 1..64, got ${threads}`);
    }
    const q = qualityOptions(quality);
    checkPreprocess(preprocess);
    if (typeof lazy !== 'boolean') throw new InvalidArgumentError(`lazy must be a boolean, got ${lazy}`);
    // Cold start (bench/cold-start.mjs): the core's .wasm is read and compiled, ONNX Runtime imported and the model
    // read and hashed at the same time; the session is created from the model while the core may still compile.
    const loading = loadCore({ wasmModule, wasmBinary });
    loading.catch(() => {});  // awaited below; when the model fails as well, its error is the one reported
    // ORT loads (and ORT Web initialises) meanwhile; its errors (a refused SPEAKER_ID_BACKEND) come with the session.
    // Not for a shipped model the core's network runs there: ORT's 14 MB .wasm would be fetched for nothing.
    if (!lazy) startRuntimeUnlessCore(model, threads);
    const resolved = await resolveModel(model);
    const creating = lazy ? null : Embedder.create(loading, resolved, { threads });  // its session starts now
    creating?.catch(() => {});  // awaited below, or disposed when the store fails first
    let adapter;
    try {
      const key = encryption === undefined ? null : await encryptionKey(encryption, resolved.sha256);
      const opened = await openStoreOption(store);
      adapter = key ? encryptStore(opened, key) : opened;
    } catch (err) {
      await (await creating?.catch(() => null))?.dispose();
      throw err;
    }
    const core = await loading;
    const embedder = creating ? await creating : new Embedder(core, resolved, { threads });
    const described = embedder.model;  // the embedding size as the core's family spec says
    let rule;
    try {
      rule = threshold === undefined ? undefined : decisionRule(threshold, makeCalibration(described.calibration,
        `model ${described.id}`), described.id);
      await adapter.open({ id: described.id, sha256: described.sha256, dim: described.dim });
    } catch (err) {
      await embedder.dispose();
      throw err;
    }
    const sid = new SpeakerId(core, described, embedder, adapter, q, rule, preprocess);
    sid.#thresholdGiven = rule !== undefined;
    try {
      await sid.#reload();
    } catch (err) {
      await sid.dispose();
      throw err;
    }
    return sid;
  }

  constructor(core, model, embedder, store, quality, rule, preprocess) {
    this.#core = core;
    this.#embedder = embedder;
    this.#preprocess = preprocess;
    this.#store = store;
    this.#quality = quality;
    const { id, family, frontend, dim, sha256 } = model;
    this.#calibration = makeCalibration(model.calibration, `model ${id}`);  // checked by create()
    this.model = Object.freeze({ id, family, frontend, dim, sha256, threshold: model.threshold,
      calibration: this.#calibration?.spec });
    this.#rule = rule ?? modelDecision(model, this.#calibration);
    // The decision threshold: a raw cosine, or { confidence } where the raw cosine depends on the probe's duration.
    this.threshold = this.#rule && (this.#rule.raw ?? { confidence: this.#rule.confidence });
    this.#gallery = new Gallery(core, { id, sha256, dim });
  }

  #core;
  #calibration;
  #rule;  // the decision rule in use: { raw } or { confidence } (calibration.mjs decisionRule)
  #thresholdGiven = false;  // create() was given a threshold (streams use it too)
  #embedder;
  #preprocess;
  #store;
  #quality;
  #gallery;
  #version = null;
  #queue = Promise.resolve();
  #disposed = false;

  // ---- plumbing -------------------------------------------------------------------------------------------------
  #run(fn) {
    if (this.#disposed) return Promise.reject(new DisposedError());
    const next = this.#queue.then(() => {
      if (this.#disposed) throw new DisposedError();
      return fn();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  async #reload() {
    const { version, speakers } = await this.#store.load();
    this.#gallery.load(speakers);
    this.#version = version;
  }

  async #sync() {
    if (this.#version === null || (await this.#store.version()) !== this.#version) await this.#reload();
  }

  // Applies a committed mutation to the gallery when nobody else wrote in between, else reloads. Mutations need no
  // #sync() first: the store checks names itself, and `before` tells whether the gallery was current.
  async #committed({ before, after }, apply) {
    if (before === this.#version) {
      apply();
      this.#version = after;
    } else {
      await this.#reload();
    }
  }

  // A call's decision rule (checked before any inference).
  #decision(options) {
    if (options?.threshold !== undefined) return decisionRule(options.threshold, this.#calibration, this.model.id);
    if (this.#rule === undefined) {
      throw new InvalidArgumentError(`model '${this.model.id}' has no calibrated threshold: pass { threshold } ` +
        'to SpeakerId.create() or to this call');
    }
    return this.#rule;
  }

  // The calibrated confidence of `o.score` next to it (when the model has a calibration), for a probe of durationSec.
  #withConfidence(o, durationSec) {
    if (this.#calibration) o.confidence = this.#calibration.toConfidence(o.score, durationSec);
    return o;
  }

  // The raw threshold used for this probe, and on the calibrated scale.
  #thresholds(t, durationSec) {
    return this.#calibration
      ? { threshold: t, thresholdConfidence: this.#calibration.toConfidence(t, durationSec) } : { threshold: t };
  }

  // Decodes, checks quality (before inference, so refused audio costs no model run) and embeds.
  async #analyse(audio, use, what) {
    const input = await toAudioInput(this.#core, audio);
    let quality;
    let embedding;
    try {
      ({ embedding } = await this.#embedder.embed(input, {
        quality: this.#quality,
        preprocess: this.#preprocess,
        before: (fe) => {
          quality = qualityReport(fe.measurements, this.#quality, use, input.partialDecode);
          refuseOnQuality(quality, this.#quality, what);
        },
      }));
    } catch (err) {
      // A refusal after the quality report was made (too few frames for the model) carries it, like the others.
      if (err instanceof SpeakerIdError && quality && err.details === undefined) err.details = quality;
      throw err;
    }
    // Checked before anything is stored: a stored NaN or zero embedding would make the store unloadable.
    if (!embedding.every(Number.isFinite) || embedding.every((v) => v === 0)) {
      throw new InvalidAudioError(`${what}: the model produced an unusable embedding (NaN, infinite or all zero)`);
    }
    return { embedding, quality };
  }

  #speakerInfo(s) {
    return { ...s, enrollmentPercent: enrollmentPercent(s.speechSec, this.#quality) };
  }

  // ---- the API --------------------------------------------------------------------------------------------------

  /**
   * What runs the model: 'native' (onnxruntime-node, Node only), 'core' (the core's own network, network-session.mjs:
   * fp32 ECAPA-TDNN models where ORT would be wasm, on one thread) or 'wasm' (ONNX Runtime Web); null while a lazy
   * SpeakerId has not created its session yet. Node: SPEAKER_ID_BACKEND=native|wasm|core forces one.
   */
  get backend() {
    return this.#embedder?.backend ?? null;
  }

  /** The thread count ONNX Runtime runs the model with (CreateOptions.threads or the default); null while lazy. */
  get threads() {
    return this.#embedder?.threads ?? null;
  }

  /** The utterance embedding (Float32Array, model.dim values) of any supported audio input with voice in it. */
  embed(audio) {
    // The same checks as identify: audio without voice has no speaker to describe (NoVoiceError).
    return this.#run(async () => (await this.#analyse(audio, 'identify', 'recording')).embedding);
  }

  /**
   * Adds one recording (or an array of recordings) to speaker `name`, enrolling it if new. Every recording is
   * checked and embedded first; if any is refused nothing is stored.
   * -> { speaker, samples, added, quality, enrollmentPercent, speechSec }; `quality` is the report of the recording
   *    (an array of reports for an array input).
   */
  enroll(name, audio) {
    return this.#run(async () => {
      name = speakerName(this.#core, name);
      const many = Array.isArray(audio);
      const inputs = many ? audio : [audio];
      if (inputs.length === 0) throw new InvalidArgumentError('enroll: no recordings given');
      const samples = [];
      const reports = [];
      for (const [i, a] of inputs.entries()) {
        const what = many ? `recording ${i + 1} of ${inputs.length}` : 'recording';
        let analysed;
        try {
          analysed = await this.#analyse(a, 'enroll', what);
        } catch (err) {
          if (many && err instanceof SpeakerIdError) err.index = i;  // which recording was refused
          throw err;
        }
        const { embedding, quality } = analysed;
        // The same recording twice would count its speech twice toward enrollmentPercent and add nothing.
        const again = this.#gallery.sampleIndex(name, embedding);
        const twice = samples.findIndex((p) => p.embedding.every((v, k) => Object.is(v, embedding[k])));
        if (again >= 0 || twice >= 0) {
          const err = new InvalidArgumentError(`${what}: the same recording is already ` +
            (again >= 0 ? `enrolled for '${name}' (its sample ${again + 1})` : `in this call (recording ${twice + 1})`) +
            '; enroll other recordings of the speaker');
          if (many) err.index = i;
          throw err;
        }
        samples.push({ embedding, durationSec: quality.durationSec, speechSec: quality.speechSec, createdAt: Date.now() });
        reports.push(quality);
      }
      this.#gallery.checkSamples(samples);  // validated once, by the core's rules, before the store sees them
      const tokens = await this.#store.addSamples(name, samples);
      await this.#committed(tokens, () => this.#gallery.addSamples(name, samples));
      const info = this.#gallery.speaker(name);
      return {
        speaker: name,
        samples: info.samples,
        added: samples.length,
        quality: many ? reports : reports[0],
        speechSec: info.speechSec,
        enrollmentPercent: enrollmentPercent(info.speechSec, this.#quality),
      };
    });
  }

  /**
   * 1:N. -> { speaker: name | null, score, candidates: [{ name, score }], threshold, quality }. `speaker` is the best
   * match when its score >= threshold, else null (unknown). One enrolled speaker is not a free match.
   */
  identify(audio, { topK = DEFAULT_TOP_K, threshold } = {}) {
    return this.#run(async () => {
      if (!Number.isInteger(topK) || topK < 0) throw new InvalidArgumentError(`topK must be an integer >= 0, got ${topK}`);
      const rule = this.#decision({ threshold });
      const { embedding, quality } = await this.#analyse(audio, 'identify', 'recording');
      await this.#sync();
      const d = quality.durationSec;
      const t = rawAt(rule, this.#calibration, d);
      const r = this.#gallery.identify(embedding, topK, t);
      return this.#withConfidence({ speaker: r.speaker, score: r.score,
        candidates: r.candidates.map((c) => this.#withConfidence({ ...c }, d)), ...this.#thresholds(t, d), quality }, d);
    });
  }

  /**
   * Streaming identification (identify-stream.mjs): push PCM chunks, get segments of who spoke as speech arrives.
   * Options: sampleRate (Hz, required), channels (1), windowSec (2), hopSec (0.5), minSpeechSec (0.5: speech a
   * window needs to be given an identity), minSegmentSec (1.5), topK, threshold (as identify; default: the
   * threshold given to create(), else for a calibrated model the cosine of confidence 0.5, else the model's),
   * onEvent(event).
   */
  stream(options = {}) {
    if (this.#disposed) throw new DisposedError();
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('stream options must be an object');
    const known = ['sampleRate', 'channels', 'windowSec', 'hopSec', 'minSpeechSec', 'minSegmentSec', 'topK', 'threshold',
      'onEvent'];
    const unknown = Object.keys(options).filter((k) => !known.includes(k));
    if (unknown.length) throw new InvalidArgumentError(`unknown stream option(s) ${unknown.join(', ')}; accepted: ${known.join(', ')}`);
    const { topK = DEFAULT_TOP_K, minSpeechSec = STREAM_DEFAULTS.minSpeechSec } = options;
    if (!Number.isInteger(topK) || topK < 0) throw new InvalidArgumentError(`topK must be an integer >= 0, got ${topK}`);
    if (!(Number.isFinite(minSpeechSec) && minSpeechSec >= 0)) {
      throw new InvalidArgumentError(`minSpeechSec must be a number >= 0, got ${minSpeechSec}`);
    }
    // A stream decides on windows of a few seconds, which score lower than whole recordings (the model's threshold
    // is for those): by default it takes the calibration's even-odds point (confidence 0.5), unless a threshold
    // was given to create() or here.
    // Every window is windowSec long: a duration-aware calibration is applied at that duration.
    const windowSec = options.windowSec ?? STREAM_DEFAULTS.windowSec;
    const even = this.#calibration && !this.#thresholdGiven && options.threshold === undefined;
    const t = even ? this.#calibration.toScore(0.5, windowSec) : rawAt(this.#decision(options), this.#calibration, windowSec);
    const analyse = (audio) => this.#run(async () => {
      const voiced = (fe) => fe.measurements.speechWindows > 0 && fe.measurements.speechSec >= minSpeechSec;
      const r = await this.#embedder.embed(audio, { quality: this.#quality, preprocess: this.#preprocess, before: voiced });
      if (!r) return { voice: false };
      await this.#sync();
      const id = this.#gallery.identify(r.embedding, topK, t);
      return { voice: true, speaker: id.speaker, score: id.score,
        candidates: id.candidates.map((c) => this.#withConfidence({ ...c }, windowSec)) };
    });
    const cal = this.#calibration;
    return new IdentifyStream(analyse, { ...options, toConfidence: cal && ((score) => cal.toConfidence(score, windowSec)) });
  }

  /**
   * Who spoke when in a recording (any supported audio input): the stream's final segments, in order (a WAV is read
   * a piece at a time, so memory stays bounded whatever the length). Options: as stream() but sampleRate / channels
   * (the recording's), and onEvent for the live events as they come.
   */
  async timeline(audio, options = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('timeline options must be an object');
    if ('sampleRate' in options || 'channels' in options) {
      throw new InvalidArgumentError('timeline: sampleRate and channels are the recording\'s own; pass the audio only');
    }
    const input = await this.#run(() => toAudioInput(this.#core, audio));
    const source = await this.#run(() => pcmChunks(this.#core, input));
    const stream = this.stream({ ...options, sampleRate: source.sampleRate, channels: source.channels });
    const segments = [];
    const keep = (events) => { for (const e of events) if (e.final) segments.push(e); };
    for (const chunk of source.chunks()) keep(await stream.push(chunk));
    keep(await stream.end());
    return segments;
  }

  /** 1:1 against enrolled speaker `name`. -> { speaker, accepted, score, threshold, quality }. */
  verify(name, audio, { threshold } = {}) {
    return this.#run(async () => {
      name = speakerName(this.#core, name);
      const rule = this.#decision({ threshold });
      await this.#sync();
      if (!this.#gallery.has(name)) throw new UnknownSpeakerError(`unknown speaker '${name}'`);  // before any inference
      const { embedding, quality } = await this.#analyse(audio, 'identify', 'recording');
      await this.#sync();
      const d = quality.durationSec;
      const t = rawAt(rule, this.#calibration, d);
      const r = this.#gallery.verify(name, embedding, t);
      return this.#withConfidence({ speaker: name, accepted: r.accepted, score: r.score, ...this.#thresholds(t, d),
        quality }, d);
    });
  }

  /** [{ name, samples, durationSec, speechSec, enrollmentPercent, firstCreatedAt, lastCreatedAt }], enrollment order. */
  speakers() {
    return this.#run(async () => {
      await this.#sync();
      return this.#gallery.speakers().map((s) => this.#speakerInfo(s));
    });
  }

  /**
   * The enrolled samples themselves, enrollment order: [{ name, samples: [{ embedding: Float32Array, durationSec,
   * speechSec, createdAt }] }] (copies; e.g. for a similarity map of every sample).
   */
  profiles() {
    return this.#run(async () => {
      await this.#sync();
      return this.#gallery.records();  // copies out of the core
    });
  }

  /** Removes a speaker; resolves to false when there was none of that name. */
  remove(name) {
    return this.#run(async () => {
      name = speakerName(this.#core, name);
      const r = await this.#store.remove(name);
      await this.#committed(r, () => this.#gallery.remove(name));
      return r.removed;
    });
  }

  /** Renames speaker `from` to `to` (UnknownSpeakerError, SpeakerExistsError). */
  rename(from, to) {
    return this.#run(async () => {
      from = speakerName(this.#core, from);
      to = speakerName(this.#core, to);
      const r = await this.#store.rename(from, to);
      await this.#committed(r, () => this.#gallery.rename(from, to));
    });
  }

  /** Removes every enrolled speaker (of this model, in this store). */
  reset() {
    return this.#run(async () => {
      const r = await this.#store.reset();
      await this.#committed(r, () => this.#gallery.reset());
    });
  }

  /** Every enrolled speaker as a profile blob (Uint8Array; format: src/match/profile_format.h). */
  exportProfiles() {
    return this.#run(async () => {
      await this.#sync();
      return this.#gallery.exportProfiles();
    });
  }

  /**
   * Imports a profile blob. mode 'replace' (default): the store then holds exactly the blob's speakers; 'merge':
   * adds them, refusing the whole import if a name exists on both sides. A corrupted or tampered blob
   * (InvalidProfileError) or one of another model (ModelMismatchError) changes nothing.
   * -> { speakers, samples } imported.
   */
  importProfiles(bytes, { mode = 'replace' } = {}) {
    return this.#run(async () => {
      if (!IMPORT_MODES.includes(mode)) throw new InvalidArgumentError(`import mode must be one of ${IMPORT_MODES.join(', ')}, got ${mode}`);
      const u8 = asBytes(bytes);
      if (!u8) throw new InvalidArgumentError('profiles must be a Uint8Array, ArrayBuffer or other ArrayBufferView (from exportProfiles())');
      const blob = decodeProfiles(this.#core, u8);
      const m = this.model;
      if (blob.model.id !== m.id || blob.model.sha256 !== m.sha256 || blob.model.dim !== m.dim) {
        throw new ModelMismatchError(`the profiles are of model '${blob.model.id}' (sha256 ${blob.model.sha256.slice(0, 12)}…, ` +
          `dim ${blob.model.dim}), this SpeakerId uses '${m.id}' (sha256 ${m.sha256.slice(0, 12)}…, dim ${m.dim}): ` +
          're-enroll from audio with this model');
      }
      const r = mode === 'replace' ? await this.#store.replaceAll(blob.speakers) : await this.#store.addSpeakers(blob.speakers);
      await this.#committed(r, () => {
        if (mode === 'replace') this.#gallery.load(blob.speakers);
        else for (const sp of blob.speakers) this.#gallery.addSamples(sp.name, sp.samples);
      });
      return { speakers: blob.speakers.length, samples: blob.speakers.reduce((n, sp) => n + sp.samples.length, 0) };
    });
  }

  /** Releases the ONNX Runtime session, the gallery and the store; the object cannot be used afterwards. */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;  // the call in progress finishes; queued and later calls get DisposedError
    await this.#queue;
    await this.#embedder.dispose();
    this.#embedder = null;
    this.#gallery.dispose();
    await this.#store.close();
  }
}

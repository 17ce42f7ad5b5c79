// Streaming identification: PCM chunks of any size in (an AudioWorklet's 128 frames, a file read in pieces, a Node
// stream), who is speaking out, as the speech arrives. Bounded state: the last window of audio and the segment
// being built.
//
// How: every `hopSec` the last `windowSec` of audio is one analysis window, embedded and scored against the gallery
// like a recording (SpeakerId#stream supplies `analyse`). A window with less than `minSpeechSec` of speech (the
// quality measurement's VAD and speech-likeness rules) gives no identity: silence and noise are gaps, not speakers.
// A window's label covers the hop at its centre, so consecutive windows tile the timeline; the first window's also
// covers the audio before it, the last one's the audio after it. Runs of the same label are segments:
//   { start, end, speaker: name | null, score, confidence?, candidates, final }
// (seconds from the first sample; score: the mean over the segment's windows; candidates: its last window's).
// Each push() resolves to the events it caused, in order: segments that ended (final: true), then the segment
// still going on (final: false, growing: the same start). end() flushes. A label is known windowSec / 2 + hopSec / 2
// after the audio it covers arrives, plus the time to embed one window.
import { InvalidArgumentError } from './errors.mjs';

export const STREAM_DEFAULTS = Object.freeze({ windowSec: 2, hopSec: 0.5, minSpeechSec: 0.5, minSegmentSec: 1.5 });
const NO_VOICE = Symbol('no voice');  // the label of windows without enough speech

function positive(value, what, max = Infinity) {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= max)) {
    throw new InvalidArgumentError(`${what} must be a number in (0, ${max}], got ${value}`);
  }
  return value;
}

export class IdentifyStream {
  /**
   * analyse(window: { sampleRate, channels, interleaved }) -> Promise<{ voice: false } | { voice: true, speaker,
   * score, confidence?, candidates }>. Options: sampleRate (Hz, required), channels (1), windowSec, hopSec,
   * minSpeechSec (STREAM_DEFAULTS; analyse applies minSpeechSec), onEvent(event) (called for every event too),
   * toConfidence(score) (a calibrated model's map: events then carry `confidence`).
   */
  constructor(analyse, { sampleRate, channels = 1, windowSec = STREAM_DEFAULTS.windowSec,
    hopSec = STREAM_DEFAULTS.hopSec, minSegmentSec = STREAM_DEFAULTS.minSegmentSec, onEvent, toConfidence } = {}) {
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
      throw new InvalidArgumentError(`stream: sampleRate must be a positive integer (Hz), got ${sampleRate}`);
    }
    if (!Number.isInteger(channels) || channels < 1 || channels > 8) {
      throw new InvalidArgumentError(`stream: channels must be an integer in 1..8, got ${channels}`);
    }
    positive(windowSec, 'stream: windowSec', 60);
    positive(hopSec, 'stream: hopSec', windowSec);
    if (!(Number.isFinite(minSegmentSec) && minSegmentSec >= 0 && minSegmentSec <= 60)) {
      throw new InvalidArgumentError(`stream: minSegmentSec must be a number in [0, 60], got ${minSegmentSec}`);
    }
    if (onEvent !== undefined && typeof onEvent !== 'function') throw new InvalidArgumentError('stream: onEvent must be a function');
    this.#analyse = analyse;
    this.#onEvent = onEvent;
    this.#toConfidence = toConfidence;
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.windowSec = windowSec;
    this.hopSec = hopSec;
    this.#window = Math.round(windowSec * sampleRate);
    this.#hop = Math.max(1, Math.round(hopSec * sampleRate));
    this.#nextEnd = this.#window;
    this.#minSegment = Math.round(minSegmentSec * sampleRate);
    this.#buffer = new Float32Array(2 * this.#window * channels);
  }

  #analyse;
  #onEvent;
  #toConfidence;  // the model's calibration, if any
  #window;       // frames per analysis window
  #hop;          // frames between window ends
  #buffer;       // interleaved frames [#bufferStart, #total)
  #bufferStart = 0;
  #total = 0;    // frames pushed
  #nextEnd;      // frame at which the next window ends
  #labelledTo = 0;  // frame up to which the timeline is labelled
  #minSegment;      // frames a run of one label needs to be a segment
  #established = null;  // the last run that became a segment (not final until the next one is established)
  #pending = [];        // shorter runs after it
  #last = null;     // the last window's result and frame, for end()
  #ended = false;
  #queue = Promise.resolve();

  /** Append interleaved PCM (Float32Array, `channels` values per frame) -> Promise<events>. */
  push(pcm) {
    if (!(pcm instanceof Float32Array)) throw new InvalidArgumentError('stream.push: pass a Float32Array of PCM samples');
    if (pcm.length % this.channels !== 0) {
      throw new InvalidArgumentError(`stream.push: ${pcm.length} samples is not a multiple of ${this.channels} channels`);
    }
    if (this.#ended) throw new InvalidArgumentError('stream.push: the stream has ended');
    const copy = pcm.slice();  // the caller may reuse its buffer (an AudioWorklet does)
    return this.#serial(() => this.#append(copy));
  }

  /** No more audio: labels what is left -> Promise<events> (the last segment, final). */
  end() {
    if (this.#ended) return Promise.resolve([]);
    this.#ended = true;
    return this.#serial(async () => {
      const events = [];
      if (this.#last === null && this.#total >= Math.min(this.#window, this.sampleRate)) {
        // Shorter than one window: the whole stream is one.
        this.#label(events, await this.#analyse(this.#frames(0, this.#total)), this.#total);
      } else if (this.#last) {
        this.#label(events, this.#last, this.#total);
      }
      this.#close(events);
      return this.#emit(events);
    });
  }

  #serial(fn) {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #append(pcm) {
    const ch = this.channels;
    const need = (this.#total - this.#bufferStart) * ch + pcm.length;
    if (need > this.#buffer.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.#buffer.length));
      grown.set(this.#buffer.subarray(0, (this.#total - this.#bufferStart) * ch));
      this.#buffer = grown;
    }
    this.#buffer.set(pcm, (this.#total - this.#bufferStart) * ch);
    this.#total += pcm.length / ch;
    const events = [];
    while (this.#total >= this.#nextEnd) {
      const end = this.#nextEnd;
      const result = await this.#analyse(this.#frames(end - this.#window, end));
      this.#last = result;
      // This window's label covers up to the end of the hop at its centre.
      this.#label(events, result, end - Math.floor(this.#window / 2) + Math.floor(this.#hop / 2));
      this.#nextEnd += this.#hop;
    }
    this.#drop(this.#nextEnd - this.#window);
    const current = this.#current();
    if (current) events.push(current);
    return this.#emit(events);
  }

  // Frames [from, to) as a decoded-PCM input (a copy: analysis is asynchronous and the buffer moves on).
  #frames(from, to) {
    const ch = this.channels;
    const interleaved = this.#buffer.slice((from - this.#bufferStart) * ch, (to - this.#bufferStart) * ch);
    return { sampleRate: this.sampleRate, channels: ch, interleaved };
  }

  #drop(keepFrom) {
    if (keepFrom <= this.#bufferStart) return;
    const ch = this.channels;
    this.#buffer.copyWithin(0, (keepFrom - this.#bufferStart) * ch, (this.#total - this.#bufferStart) * ch);
    this.#bufferStart = keepFrom;
  }

  // Labels the timeline from #labelledTo up to frame `to` with `result`. Labels form runs; a run becomes a segment
  // once it lasts minSegmentSec (established). Shorter runs between two established ones (a window that straddles a
  // turn change scores low for both speakers, or flips to a third) are split between them at their midpoint, and a
  // short run back to the established label is absorbed: the established segment is final once the next one is.
  #label(events, result, to) {
    if (to <= this.#labelledTo) return;
    const from = this.#labelledTo;
    this.#labelledTo = to;
    const key = result.voice ? result.speaker : NO_VOICE;
    const last = this.#pending.at(-1) ?? this.#established;
    if (last && last.key === key) {
      last.to = to;
      last.scores += result.voice ? result.score : 0;
      last.windows += 1;
      last.last = result;
    } else if (this.#established && this.#established.key === key && this.#pending.every((r) => this.#short(r))) {
      Object.assign(this.#established, { to, last: result });  // a short excursion and back
      this.#established.scores += result.voice ? result.score : 0;
      this.#established.windows += 1;
      this.#pending = [];
    } else {
      this.#pending.push({ key, from, to, scores: result.voice ? result.score : 0, windows: 1, last: result });
    }
    const run = this.#pending.at(-1);
    if (run && (!this.#short(run) || !this.#established)) this.#establish(events, run);
  }

  #short(run) {
    return run.to - run.from < this.#minSegment;
  }

  // `run` (the last pending one) is established: the short runs before it go half to the established segment before
  // them, half to it; that segment is final.
  #establish(events, run) {
    const prev = this.#established;
    if (prev) {
      const mid = Math.round((prev.to + run.from) / 2);
      if (this.#pending.length > 1) {
        prev.to = mid;
        run.from = mid;
      }
      if (prev.key !== NO_VOICE) events.push(this.#event(prev, true));
    }
    this.#established = run;
    this.#pending = [];
  }

  // end(): the runs still pending belong to the established segment (or are all there is); all are final.
  #close(events) {
    const runs = this.#established ? [this.#established] : [];
    if (this.#established && this.#pending.length) {
      this.#established.to = this.#pending.at(-1).to;
    } else {
      runs.push(...this.#pending);
    }
    for (const r of runs) if (r.key !== NO_VOICE) events.push(this.#event(r, true));
    this.#established = null;
    this.#pending = [];
  }

  // The segment going on: the established one, up to what is labelled so far (what follows it is not yet a segment).
  #current() {
    const e = this.#established;
    return e && e.key !== NO_VOICE ? this.#event({ ...e, to: this.#labelledTo }, false) : null;
  }

  #event(s, final) {
    const e = { start: s.from / this.sampleRate, end: s.to / this.sampleRate, speaker: s.key,
      score: s.scores / s.windows, candidates: s.last.candidates, final };
    if (this.#toConfidence) e.confidence = this.#toConfidence(e.score);
    return e;
  }

  #emit(events) {
    if (this.#onEvent) for (const e of events) this.#onEvent(e);
    return events;
  }
}

// `speaker-id identify` (1:N) and `speaker-id verify` (1:1) against the file store.
import { AudioTooShortError, ClippingError, InvalidAudioError, NoVoiceError, SpeakerIdError,
  TooQuietError } from '../src/errors.mjs';
import { UsageError, fileError, forFile, out, readInput, warnQuality } from './cli-common.mjs';
import { STORE, commandOptions, integer } from './cli-options.mjs';
import { withStore } from './store-session.mjs';

const round = (x) => Math.round(x * 1e4) / 1e4;
// Score (and the calibrated confidence, when the model has one) of a result or candidate, rounded for output.
const scored = (r) => (r.confidence === undefined ? { score: round(r.score) }
  : { score: round(r.score), confidence: r.confidence === null ? null : round(r.confidence) });
const thresholds = (r) => (r.thresholdConfidence === undefined ? { threshold: r.threshold }
  : { threshold: r.threshold, thresholdConfidence: round(r.thresholdConfidence) });

export const identifyCommand = {
  usage: `usage: speaker-id identify --store DIR [--top-k K] [--threshold T | --min-confidence C] [--json] FILE...
  One line per FILE; with --json: {"file", "speaker": name|null, "score", "candidates": [{"name", "score"}], ...}
  ("confidence" next to each score, and "thresholdConfidence", for a model with a calibrated confidence).
  speaker is null (unknown) when the best score is below the threshold; quality warnings (clipping, too quiet, a FILE
  decoded only in part) go to stderr, or are in "quality" with --json. A FILE that cannot be used gets
  {"file", "error": {"code", "message"}} (and its reason on stderr); the exit code is then 2.`,
  options: commandOptions(STORE, {
    'top-k': { type: 'string', default: '5', parse: integer(0), help: '--top-k K       candidates listed per file (default 5)' },
  }),
  async run(values, files) {
    if (files.length === 0) throw new UsageError('no input files given');
    return withStore(values, async (sid) => {
      let status = 0;
      for (const file of files) {
        try {
          const r = await forFile(file, async () => sid.identify(await readInput(file), { topK: values['top-k'] }));
          const candidates = r.candidates.map((c) => ({ name: c.name, ...scored(c) }));
          if (values.json) {
            out(JSON.stringify({ file, speaker: r.speaker, ...scored(r), candidates, ...thresholds(r), quality: r.quality }));
          } else {
            warnQuality(file, r.quality);
            out(`${file}\t${r.speaker ?? 'unknown'}\t${r.score.toFixed(4)}`);
          }
        } catch (err) {
          if (!(err instanceof SpeakerIdError)) throw err;
          process.stderr.write(`speaker-id: ${err.message}\n`);
          if (values.json) out(JSON.stringify({ file, error: { code: err.code, message: err.message } }));
          status = 2;
        }
      }
      return status;
    });
  },
};

// What verify refuses because of the recording (and so names FILE), as opposed to NAME or the store.
const AUDIO_ERRORS = [InvalidAudioError, AudioTooShortError, NoVoiceError, ClippingError, TooQuietError];

export const verifyCommand = {
  usage: `usage: speaker-id verify --store DIR [--threshold T | --min-confidence C] [--json] NAME FILE
  1:1: is FILE speaker NAME? Prints accepted/rejected and the score (--json: {"file", "speaker", "accepted",
  "score", "threshold"}). The exit code is 0 either way; 2 when NAME is not enrolled or FILE cannot be used.`,
  options: commandOptions(STORE),
  async run(values, positionals) {
    if (positionals.length !== 2) throw new UsageError('give a speaker NAME and one FILE');
    const [name, file] = positionals;
    const audio = await readInput(file);
    return withStore(values, async (sid) => {
      let r;
      try {
        r = await sid.verify(name, audio);
      } catch (err) {
        throw AUDIO_ERRORS.some((E) => err instanceof E) ? fileError(file, err) : err;
      }
      if (values.json) {
        out(JSON.stringify({ file, speaker: name, accepted: r.accepted, ...scored(r), ...thresholds(r), quality: r.quality }));
      } else {
        warnQuality(file, r.quality);
        out(`${file}\t${name}\t${r.accepted ? 'accepted' : 'rejected'}\t${r.score.toFixed(4)}`);
      }
      return 0;
    });
  },
};

// `speaker-id identify` (1:N) and `speaker-id verify` (1:1) against the file store.
import { loadCore } from '../src/core.mjs';
import { SpeakerIdError } from '../src/errors.mjs';
import { readAudioFile } from './cli-audio.mjs';
import { STORE_HELP, STORE_OPTIONS, out, withStore } from './store-session.mjs';

const round = (x) => Math.round(x * 1e4) / 1e4;

export const identifyCommand = {
  usage: `usage: speaker-id identify --store DIR [--top-k K] [--threshold T] [--json] FILE...
  One line per FILE; with --json: {"file", "speaker": name|null, "score", "candidates": [{"name", "score"}], ...}.
  speaker is null (unknown) when the best score is below the threshold. A FILE that cannot be used gets
  {"file", "error": {"code", "message"}} (and its reason on stderr); the exit code is then 2.
  --top-k K   candidates listed per file (default 5)
${STORE_HELP}`,
  options: { ...STORE_OPTIONS, 'top-k': { type: 'string', default: '5' } },
  async run(values, files, ctx) {
    if (files.length === 0) throw new ctx.UsageError('no input files given');
    const topK = Number(values['top-k']);
    if (!Number.isInteger(topK) || topK < 0) throw new ctx.UsageError('--top-k must be an integer >= 0');
    const core = await loadCore();
    return withStore(values, ctx, async (sid) => {
      let status = 0;
      for (const file of files) {
        try {
          const r = await sid.identify(await readAudioFile(core, file), { topK });
          const candidates = r.candidates.map((c) => ({ name: c.name, score: round(c.score) }));
          if (values.json) {
            out(JSON.stringify({ file, speaker: r.speaker, score: round(r.score), candidates, threshold: r.threshold,
              quality: r.quality }));
          } else {
            out(`${file}\t${r.speaker ?? 'unknown'}\t${r.score.toFixed(4)}`);
          }
        } catch (err) {
          if (!(err instanceof SpeakerIdError)) throw err;
          const message = err.message.startsWith(file) ? err.message : `${file}: ${err.message}`;
          process.stderr.write(`speaker-id: ${message}\n`);
          if (values.json) out(JSON.stringify({ file, error: { code: err.code, message } }));
          status = 2;
        }
      }
      return status;
    });
  },
};

export const verifyCommand = {
  usage: `usage: speaker-id verify --store DIR [--threshold T] [--json] NAME FILE
  1:1: is FILE speaker NAME? Prints accepted/rejected and the score (--json: {"file", "speaker", "accepted",
  "score", "threshold"}). The exit code is 0 either way; 2 when NAME is not enrolled or FILE cannot be used.
${STORE_HELP}`,
  options: STORE_OPTIONS,
  async run(values, positionals, ctx) {
    if (positionals.length !== 2) throw new ctx.UsageError('give a speaker NAME and one FILE');
    const [name, file] = positionals;
    const core = await loadCore();
    const audio = await readAudioFile(core, file);
    return withStore(values, ctx, async (sid) => {
      const r = await sid.verify(name, audio);
      if (values.json) {
        out(JSON.stringify({ file, speaker: name, accepted: r.accepted, score: round(r.score), threshold: r.threshold,
          quality: r.quality }));
      } else {
        out(`${file}\t${name}\t${r.accepted ? 'accepted' : 'rejected'}\t${r.score.toFixed(4)}`);
      }
      return 0;
    });
  },
};

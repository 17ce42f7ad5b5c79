// `speaker-id timeline`: who spoke when in a recording, by streaming identification (web/src/identify-stream.mjs)
// against the file store.
import { UsageError, forFile, out, readInput } from './cli-common.mjs';
import { STORE, commandOptions } from './cli-options.mjs';
import { withStore } from './store-session.mjs';

const round = (x, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const clock = (sec) => `${Math.floor(sec / 60)}:${(sec % 60).toFixed(1).padStart(4, '0')}`;

export const timelineCommand = {
  usage: `usage: speaker-id timeline --store DIR [--json] [--window S] [--hop S] FILE
  Who spoke when in FILE: one line per segment of one speaker (unknown: a voice that is no enrolled speaker);
  silence and noise are left out. With --json one line per segment: {"start": sec, "end": sec, "speaker": name|null,
  "score": x} ("confidence" too for a model with a calibrated confidence).`,
  options: commandOptions(STORE, {
    window: { type: 'string', help: '--window S      analysis window in seconds (default 2)' },
    hop: { type: 'string', help: '--hop S         step between windows in seconds (default 0.5)' },
  }),
  async run(values, files) {
    if (files.length !== 1) throw new UsageError('give one FILE');
    const [file] = files;
    const seconds = (flag) => {
      if (values[flag] === undefined) return undefined;
      const n = Number(values[flag]);
      if (values[flag].trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a number > 0`);
      return n;
    };
    const windowSec = seconds('window');
    const hopSec = seconds('hop');
    const audio = await readInput(file);
    return withStore(values, async (sid) => {
      const segments = await forFile(file, () => sid.timeline(audio, { windowSec, hopSec }));
      for (const s of segments) {
        if (values.json) {
          const line = { start: round(s.start, 3), end: round(s.end, 3), speaker: s.speaker, score: round(s.score) };
          if (s.confidence !== undefined) line.confidence = round(s.confidence);
          out(JSON.stringify(line));
        } else {
          out(`${clock(s.start)}\t${clock(s.end)}\t${s.speaker ?? 'unknown'}\t${s.score.toFixed(4)}`);
        }
      }
      return 0;
    });
  },
};

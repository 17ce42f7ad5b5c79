// `speaker-id enroll`: adds recordings to a speaker in the file store, all or nothing.
import { loadCore } from '../src/core.mjs';
import { readAudioFile } from './cli-audio.mjs';
import { STORE_HELP, STORE_OPTIONS, out, withStore } from './store-session.mjs';

export const enrollCommand = {
  usage: `usage: speaker-id enroll --store DIR [--model M] [--json] NAME FILE...
  Adds every FILE as a sample of speaker NAME (enrolled if new). Every file is decoded, quality-checked and embedded
  before anything is stored: one refused file (unreadable, no voice, too little speech) stores nothing.
  Prints the speaker's samples, speech seconds and enrollment percentage, and quality warnings (clipping, too quiet).
${STORE_HELP}`,
  options: STORE_OPTIONS,
  async run(values, positionals, ctx) {
    const [name, ...files] = positionals;
    if (name === undefined || files.length === 0) throw new ctx.UsageError('give a speaker NAME and at least one FILE');
    const core = await loadCore();
    const audio = [];
    for (const file of files) audio.push(await readAudioFile(core, file));  // file-named decoding errors
    return withStore(values, ctx, async (sid) => {
      let r;
      try {
        r = await sid.enroll(name, audio);
      } catch (err) {
        if (Number.isInteger(err.index)) err.message = `${files[err.index]}: ${err.message}`;
        throw err;
      }
      const warnings = r.quality.flatMap((q, i) => q.issues.map((issue) => ({ file: files[i], ...issue })));
      if (values.json) {
        out(JSON.stringify({ speaker: r.speaker, samples: r.samples, added: r.added, speechSec: r.speechSec,
          enrollmentPercent: r.enrollmentPercent, model: sid.model.id,
          quality: r.quality.map((q, i) => ({ file: files[i], ...q })) }));
      } else {
        for (const w of warnings) process.stderr.write(`speaker-id: warning: ${w.file}: ${w.message}\n`);
        out(`enrolled ${r.speaker}: ${r.samples} sample(s) (+${r.added}), ${r.speechSec.toFixed(1)} s of speech, ` +
          `enrollment ${r.enrollmentPercent}%`);
      }
      return 0;
    }, { creates: true });
  },
};

// `speaker-id enroll`: adds recordings to a speaker in the file store, all or nothing.
import { UsageError, fileError, out, readInput, warnQuality } from './cli-common.mjs';
import { STORE, commandOptions } from './cli-options.mjs';
import { withStore } from './store-session.mjs';

export const enrollCommand = {
  usage: `usage: speaker-id enroll --store DIR [--model M] [--json] NAME FILE...
  Adds every FILE as a sample of speaker NAME (enrolled if new). Every file is decoded, quality-checked and embedded
  before anything is stored: one refused file (unreadable, no voice, too little speech) stores nothing.
  Prints the speaker's samples, speech seconds and enrollment percentage, and quality warnings (clipping, too quiet,
  a FILE decoded only in part: cut off or damaged).`,
  options: commandOptions(STORE),
  async run(values, positionals) {
    const [name, ...files] = positionals;
    if (name === undefined || files.length === 0) throw new UsageError('give a speaker NAME and at least one FILE');
    const audio = [];
    for (const file of files) audio.push(await readInput(file));
    return withStore(values, async (sid) => {
      let r;
      try {
        r = await sid.enroll(name, audio);
      } catch (err) {
        throw Number.isInteger(err.index) ? fileError(files[err.index], err) : err;  // index: the refused recording
      }
      if (values.json) {
        out(JSON.stringify({ speaker: r.speaker, samples: r.samples, added: r.added, speechSec: r.speechSec,
          enrollmentPercent: r.enrollmentPercent, model: sid.model.id,
          quality: r.quality.map((q, i) => ({ file: files[i], ...q })) }));
      } else {
        r.quality.forEach((q, i) => warnQuality(files[i], q));
        out(`enrolled ${r.speaker}: ${r.samples} sample(s) (+${r.added}), ${r.speechSec.toFixed(1)} s of speech, ` +
          `enrollment ${r.enrollmentPercent}%`);
      }
      return 0;
    }, { creates: true });
  },
};

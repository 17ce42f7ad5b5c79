// `speaker-id eval DIR`: DIR holds one folder per speaker with that speaker's recordings at any depth below it.
// Scores every same/different-speaker pair (cosine) -> EER and minDCF (p_target 0.01); top-1 identification with
// K enrollment recordings per speaker (the first K by path; speakers with fewer than K + 1 skipped for that part).
// With --cohort C: every recording below C (any depth) is embedded with the same model as a score-normalisation
// cohort, and the same metrics are also reported on S-norm and AS-norm (top --cohort-top N) scores
// (web/src/score-norm.mjs; docs/score-normalisation.md).
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, SpeakerIdError } from '../src/errors.mjs';
import { centroid, cosine, verificationMetrics } from '../src/metrics.mjs';
import { buildCohort, cohortScores, normalizeScore, scoreStats } from '../src/score-norm.mjs';
import { SpeakerId } from '../src/speaker-id.mjs';
import { UsageError, fileError, forFile, readInput } from './cli-common.mjs';
import { commandOptions, integer } from './cli-options.mjs';

const AUDIO = /\.(wav|flac|ogg|oga|opus|mp3|m4a)$/i;

async function audioFilesBelow(dir) {
  const out = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...await audioFilesBelow(path));
    else if (AUDIO.test(entry.name)) out.push(path);
  }
  return out;
}

export async function listSpeakers(dir) {
  let top;
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    top = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw fileError(dir, new InvalidArgumentError(`cannot read the data folder (${err.code ?? err.message})`));
  }
  const speakers = [];
  for (const d of top.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = await audioFilesBelow(join(dir, d.name));
    if (files.length) speakers.push({ name: d.name, files });
  }
  if (speakers.length < 2) {
    throw fileError(dir, new InvalidArgumentError(`found ${speakers.length} speaker folder(s) with audio; ` +
      'expected at least 2 (layout: DIR/<speaker>/**/<recording>)'));
  }
  return speakers;
}

/**
 * Metrics of speakers [{ embeddings }]. Without norm: raw cosine only. With norm = { cohort, top } (a buildCohort
 * cohort, the AS-norm N): the same pairs and identification trials are also scored with S-norm (whole cohort) and
 * AS-norm (top N per side), and reported as eerSnorm, minDcfSnorm, top1Snorm, eerAsnorm, ... .
 */
export function evaluate(speakers, enroll, norm = null) {
  // one scorer per score kind: raw cosine, and with a cohort S-norm and AS-norm (each side's stats computed once)
  const kinds = [{ suffix: '', stats: null }];
  if (norm) {
    kinds.push({ suffix: 'Snorm', stats: (x) => x.full }, { suffix: 'Asnorm', stats: (x) => x.top });
  }
  const withStats = (e) => {
    if (!norm) return { e };
    const sc = cohortScores(norm.cohort, e);
    return { e, full: scoreStats(sc), top: scoreStats(sc, norm.top) };
  };
  const scoreAll = (a, b) => {
    const s = cosine(a.e, b.e);
    return kinds.map((k) => (k.stats ? normalizeScore(s, k.stats(a), k.stats(b)) : s));
  };

  const utts = speakers.flatMap((s, si) => s.embeddings.map((e) => ({ si, ...withStats(e) })));
  const targets = kinds.map(() => []), nontargets = kinds.map(() => []);
  for (let i = 0; i < utts.length; i++) {
    for (let j = i + 1; j < utts.length; j++) {
      const into = utts[i].si === utts[j].si ? targets : nontargets;
      scoreAll(utts[i], utts[j]).forEach((s, k) => into[k].push(s));
    }
  }
  const enrolled = speakers.map((s, si) => ({ si, s })).filter(({ s }) => s.embeddings.length > enroll);
  const correct = kinds.map(() => 0);
  let total = 0;
  if (enrolled.length >= 2) {
    const centroids = enrolled.map(({ s }) => withStats(centroid(s.embeddings.slice(0, enroll))));
    enrolled.forEach(({ s }, k) => {
      for (const e of s.embeddings.slice(enroll)) {
        const probe = withStats(e);
        const best = kinds.map(() => ({ m: -1, score: -Infinity }));
        centroids.forEach((c, m) => scoreAll(c, probe).forEach((sc, q) => {
          if (sc > best[q].score) best[q] = { m, score: sc };
        }));
        best.forEach((b, q) => { correct[q] += b.m === k ? 1 : 0; });
        total++;
      }
    });
  }
  const out = {};
  kinds.forEach(({ suffix }, k) => {
    const v = verificationMetrics(targets[k], nontargets[k]);
    Object.assign(out, {
      [`eer${suffix}`]: v.eer, [`eerThreshold${suffix}`]: v.eerThreshold, [`minDcf${suffix}`]: v.minDcf,
      ...(suffix ? {} : { pTarget: v.pTarget }),
      [`top1${suffix}`]: total ? correct[k] / total : null,
      ...(suffix ? {} : { top1Trials: total, top1Speakers: enrolled.length }),
    });
    if (k === 0) {
      Object.assign(out, {
        speakers: speakers.length, utterances: utts.length, trials: targets[0].length + nontargets[0].length,
        targetTrials: targets[0].length, nontargetTrials: nontargets[0].length,
      });
    }
  });
  if (norm) Object.assign(out, { cohortSize: norm.cohort.size, cohortTop: Math.min(norm.top, norm.cohort.size) });
  return out;
}

// Progress on stderr for long runs (every 10 % when there are at least 50 recordings).
function progress(total) {
  let done = 0;
  const step = total >= 50 ? Math.ceil(total / 10) : Infinity;
  return () => {
    done++;
    if (done % step === 0 || (done === total && step !== Infinity)) {
      process.stderr.write(`speaker-id: eval: ${done}/${total} recordings embedded\n`);
    }
  };
}

// A recording that cannot be used (unreadable, not audio, no voice) is skipped with a warning naming it, so one bad
// file does not throw away the whole run; -> embeddings of the rest, in order.
async function embedFiles(sid, files, tick, skipped) {
  const out = [];
  for (const f of files) {
    try {
      const bytes = await readInput(f);
      out.push(await forFile(f, () => sid.embed(bytes)));
    } catch (err) {
      if (!(err instanceof SpeakerIdError)) throw err;
      process.stderr.write(`speaker-id: warning: ${err.message} (skipped)\n`);
      skipped.push(f);
    } finally {
      tick();
    }
  }
  return out;
}

async function listCohort(dir, speakers) {
  let files;
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    files = await audioFilesBelow(dir);
  } catch (err) {
    throw fileError(dir, new InvalidArgumentError(`cannot read the cohort folder (${err.code ?? err.message})`));
  }
  if (!files.length) throw fileError(dir, new InvalidArgumentError('no audio recordings in the cohort folder'));
  // a recording both in the cohort and in the data would be scored against itself: refuse
  const data = new Set(await Promise.all(speakers.flatMap((s) => s.files).map((f) => realpath(f))));
  for (const f of files) {
    if (data.has(await realpath(f))) {
      throw fileError(f, new InvalidArgumentError('is in the cohort and in the data; the cohort must be other speakers'));
    }
  }
  return files;
}

export const evalCommand = {
  usage: `usage: speaker-id eval [--model M] [--enroll K] [--cohort C [--cohort-top N]] [--json] DIR
  DIR/<speaker>/**/<recording>: scores every pair of recordings; prints EER, minDCF (p_target 0.01) and top-1
  identification accuracy with K enrollment recordings per speaker (default 3).
  --cohort C: also with cohort score normalisation, S-norm and AS-norm over each side's N most similar
  cohort recordings (default 100); C holds recordings of other speakers at any depth.`,
  options: commandOptions(['model', 'threads', 'json', 'preprocess'], {
    enroll: { type: 'string', default: '3', parse: integer(1) },
    cohort: { type: 'string' },
    'cohort-top': { type: 'string', default: '100', parse: integer(1) },
  }),
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('give exactly one data folder: speaker-id eval DIR');
    const { enroll, 'cohort-top': top } = values;
    const speakers = await listSpeakers(positionals[0]);
    const cohortFiles = values.cohort === undefined ? null : await listCohort(values.cohort, speakers);
    const sid = await SpeakerId.create({ model: values.model, threads: values.threads, preprocess: values.preprocess });
    let cohort = null;
    const skipped = [];
    const tick = progress(speakers.reduce((n, s) => n + s.files.length, 0) + (cohortFiles?.length ?? 0));
    let backend;
    try {
      for (const s of speakers) s.embeddings = await embedFiles(sid, s.files, tick, skipped);
      if (cohortFiles) cohort = buildCohort(await embedFiles(sid, cohortFiles, tick, skipped));
      backend = sid.backend;  // read while the session exists (dispose() lets it go)
    } finally {
      await sid.dispose();
    }
    const r = { model: sid.model.id, backend, enroll, ...evaluate(speakers, enroll, cohort && { cohort, top }),
      skipped };
    if (values.json) {
      process.stdout.write(JSON.stringify(r) + '\n');
    } else {
      const pct = (x) => (x === null ? 'n/a' : `${(100 * x).toFixed(2)} %`);
      process.stdout.write([
        `model      ${r.model} (${r.backend === 'core' ? "the core's own network" : `ONNX Runtime ${r.backend}`})`,
        `data       ${r.speakers} speakers, ${r.utterances} recordings, ${r.trials} trials ` +
          `(${r.targetTrials} same-speaker)`,
        `EER        ${pct(r.eer)} (threshold ${r.eerThreshold.toFixed(4)})`,
        `minDCF     ${r.minDcf.toFixed(4)} (p_target ${r.pTarget})`,
        `top-1      ${pct(r.top1)} (${r.top1Trials} recordings, ${r.top1Speakers} speakers, ${enroll} enrolled each)`,
        ...(skipped.length ? [`skipped    ${skipped.length} recording(s) that could not be used (see the warnings)`] : []),
        ...(cohort ? [
          `cohort     ${r.cohortSize} recordings (${values.cohort}); AS-norm top ${r.cohortTop}`,
          ...[['S-norm', 'Snorm'], ['AS-norm', 'Asnorm']].map(([label, k]) =>
            `${label.padEnd(10)} EER ${pct(r[`eer${k}`])} (threshold ${r[`eerThreshold${k}`].toFixed(4)}), ` +
            `minDCF ${r[`minDcf${k}`].toFixed(4)}, top-1 ${pct(r[`top1${k}`])}`),
        ] : []),
      ].join('\n') + '\n');
    }
    return 0;
  },
};

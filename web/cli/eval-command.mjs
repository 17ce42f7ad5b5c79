// `speaker-id eval DIR`: DIR holds one folder per speaker with that speaker's recordings at any depth below it.
// Scores every same/different-speaker pair (cosine) -> EER and minDCF (p_target 0.01); top-1 identification with
// K enrollment recordings per speaker (the first K by path; speakers with fewer than K + 1 skipped for that part).
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadCore } from '../src/core.mjs';
import { Embedder } from '../src/embedder.mjs';
import { InvalidArgumentError } from '../src/errors.mjs';
import { centroid, cosine, verificationMetrics } from '../src/metrics.mjs';
import { resolveModel } from '../src/model-registry.mjs';
import { readAudioFile } from './cli-audio.mjs';

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
    throw new InvalidArgumentError(`${dir}: cannot read the data folder (${err.code ?? err.message})`);
  }
  const speakers = [];
  for (const d of top.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = await audioFilesBelow(join(dir, d.name));
    if (files.length) speakers.push({ name: d.name, files });
  }
  if (speakers.length < 2) {
    throw new InvalidArgumentError(`${dir}: found ${speakers.length} speaker folder(s) with audio; ` +
      'expected at least 2 (layout: DIR/<speaker>/**/<recording>)');
  }
  return speakers;
}

export function evaluate(speakers, enroll) {
  const utts = speakers.flatMap((s, si) => s.embeddings.map((e) => ({ si, e })));
  const targets = [], nontargets = [];
  for (let i = 0; i < utts.length; i++) {
    for (let j = i + 1; j < utts.length; j++) {
      (utts[i].si === utts[j].si ? targets : nontargets).push(cosine(utts[i].e, utts[j].e));
    }
  }
  const v = verificationMetrics(targets, nontargets);
  const enrolled = speakers.map((s, si) => ({ si, s })).filter(({ s }) => s.embeddings.length > enroll);
  let correct = 0, total = 0;
  if (enrolled.length >= 2) {
    const centroids = enrolled.map(({ s }) => centroid(s.embeddings.slice(0, enroll)));
    enrolled.forEach(({ s }, k) => {
      for (const e of s.embeddings.slice(enroll)) {
        let best = -1, bestScore = -Infinity;
        centroids.forEach((c, m) => { const sc = cosine(e, c); if (sc > bestScore) { bestScore = sc; best = m; } });
        correct += best === k ? 1 : 0;
        total++;
      }
    });
  }
  return {
    eer: v.eer, eerThreshold: v.eerThreshold, minDcf: v.minDcf, pTarget: v.pTarget,
    top1: total ? correct / total : null, top1Trials: total, top1Speakers: enrolled.length,
    speakers: speakers.length, utterances: utts.length,
    trials: targets.length + nontargets.length, targetTrials: targets.length, nontargetTrials: nontargets.length,
  };
}

export const evalCommand = {
  usage: `usage: speaker-id eval [--model M] [--enroll K] [--json] DIR
  DIR/<speaker>/**/<recording>: scores every pair of recordings; prints EER, minDCF (p_target 0.01) and top-1
  identification accuracy with K enrollment recordings per speaker (default 3).`,
  options: {
    model: { type: 'string' },
    enroll: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  async run(values, positionals, { UsageError }) {
    if (positionals.length !== 1) throw new UsageError('give exactly one data folder: speaker-id eval DIR');
    const enroll = Number(values.enroll);
    if (!Number.isInteger(enroll) || enroll < 1) throw new UsageError('--enroll must be a positive integer');
    const speakers = await listSpeakers(positionals[0]);
    const core = await loadCore();
    const model = await resolveModel(values.model);
    const embedder = await Embedder.create(core, model, { threads: Number(values.threads) || 1 });
    try {
      for (const s of speakers) {
        s.embeddings = [];
        for (const f of s.files) {
          const audio = await readAudioFile(core, f);
          try {
            s.embeddings.push((await embedder.embed(audio)).embedding);
          } catch (err) {
            err.message = `${relative(positionals[0], f)}: ${err.message}`;
            throw err;
          }
        }
      }
    } finally {
      await embedder.dispose();
    }
    const r = { model: model.id, enroll, ...evaluate(speakers, enroll) };
    if (values.json) {
      process.stdout.write(JSON.stringify(r) + '\n');
    } else {
      const pct = (x) => (x === null ? 'n/a' : `${(100 * x).toFixed(2)} %`);
      process.stdout.write([
        `model      ${r.model}`,
        `data       ${r.speakers} speakers, ${r.utterances} recordings, ${r.trials} trials ` +
          `(${r.targetTrials} same-speaker)`,
        `EER        ${pct(r.eer)} (threshold ${r.eerThreshold.toFixed(4)})`,
        `minDCF     ${r.minDcf.toFixed(4)} (p_target ${r.pTarget})`,
        `top-1      ${pct(r.top1)} (${r.top1Trials} recordings, ${r.top1Speakers} speakers, ${enroll} enrolled each)`,
      ].join('\n') + '\n');
    }
    return 0;
  },
};

// The mutations of the store interface on a plain in-memory list of speaker records ([{ name, samples }]), shared
// by the adapters that hold the whole list at once (memory, file). Each returns a NEW list and never changes its
// input, so a failed write leaves the caller's copy intact.
import { SpeakerExistsError, UnknownSpeakerError } from '../errors.mjs';

const copySample = (s) => ({ embedding: Float32Array.from(s.embedding), durationSec: s.durationSec,
  speechSec: s.speechSec, createdAt: s.createdAt });
export const copySpeakers = (speakers) => speakers.map((sp) => ({ name: sp.name, samples: sp.samples.map(copySample) }));

export function addSamples(speakers, name, samples) {
  const i = speakers.findIndex((sp) => sp.name === name);
  const added = samples.map(copySample);
  if (i < 0) return [...speakers, { name, samples: added }];
  return speakers.map((sp, j) => (j === i ? { name, samples: [...sp.samples, ...added] } : sp));
}

export function remove(speakers, name) {
  const next = speakers.filter((sp) => sp.name !== name);
  return { speakers: next, removed: next.length !== speakers.length };
}

export function rename(speakers, from, to) {
  if (!speakers.some((sp) => sp.name === from)) throw new UnknownSpeakerError(`unknown speaker '${from}'`);
  if (from === to) return speakers;
  if (speakers.some((sp) => sp.name === to)) {
    throw new SpeakerExistsError(`cannot rename '${from}' to '${to}': a speaker of that name already exists`);
  }
  return speakers.map((sp) => (sp.name === from ? { name: to, samples: sp.samples } : sp));
}

export function addSpeakers(speakers, added) {
  const clash = added.find((a) => speakers.some((sp) => sp.name === a.name));
  if (clash) throw new SpeakerExistsError(`cannot merge: speaker '${clash.name}' exists both in the store and in the profiles`);
  return [...speakers, ...copySpeakers(added)];
}

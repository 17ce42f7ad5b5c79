// The memory store: nothing survives the process. Useful for tests, kiosks and "enroll, use, forget".
// The version token is a counter, bumped by every committed mutation. Records are copied in and out, so neither
// the caller nor a SpeakerId's later changes to its arrays can reach the stored ones.
import { checkModelBinding, modelRecord } from './store-interface.mjs';
import { SpeakerRecords } from './speaker-records.mjs';

const copySample = (s) => ({ embedding: Float32Array.from(s.embedding), durationSec: s.durationSec,
  speechSec: s.speechSec, createdAt: s.createdAt });
const copySpeakers = (speakers) => speakers.map((sp) => ({ name: sp.name, samples: sp.samples.map(copySample) }));

export function createMemoryStore() {
  let model = null;
  let records = new SpeakerRecords();
  let version = 0;
  // `change()` returns false for a no-op; a refusal throws before anything changed.
  const mutate = (change) => {
    const before = version;
    if (change() === false) return { before, after: before };
    version += 1;
    return { before, after: version };
  };
  return {
    async open(wanted) {
      if (model) checkModelBinding('the memory store', model, wanted);
      else model = modelRecord(wanted);
    },
    async load() { return { version, speakers: copySpeakers(records.speakers()) }; },
    async version() { return version; },
    async addSamples(name, samples) { return mutate(() => records.addSamples(name, samples.map(copySample))); },
    async remove(name) {
      let removed = false;
      return { ...mutate(() => (removed = records.remove(name))), removed };
    },
    async rename(from, to) { return mutate(() => records.rename(from, to)); },
    async reset() { return mutate(() => records.reset()); },
    async replaceAll(speakers) {
      return mutate(() => {
        records = new SpeakerRecords();
        records.addSpeakers(copySpeakers(speakers));
      });
    },
    async addSpeakers(speakers) { return mutate(() => records.addSpeakers(copySpeakers(speakers))); },
    async close() {},
  };
}

// The memory store: nothing survives the process. Useful for tests, kiosks and "enroll, use, forget".
// The version token is a counter, bumped by every mutation.
import { ModelMismatchError } from '../errors.mjs';
import { modelMismatchReason } from './store-interface.mjs';
import * as records from './speaker-records.mjs';

export function createMemoryStore() {
  let model = null;
  let speakers = [];
  let version = 0;
  const commit = (next) => {
    const before = version;
    speakers = next;
    version += 1;
    return { before, after: version };
  };
  return {
    kind: 'memory',
    async open(wanted) {
      if (model) {
        const reason = modelMismatchReason(model, wanted);
        if (reason) throw new ModelMismatchError(reason);
      } else {
        model = { id: wanted.id, sha256: wanted.sha256.toLowerCase(), dim: wanted.dim };
      }
    },
    async load() { return { version, speakers: records.copySpeakers(speakers) }; },
    async version() { return version; },
    async addSamples(name, samples) { return commit(records.addSamples(speakers, name, samples)); },
    async remove(name) {
      const r = records.remove(speakers, name);
      return { ...commit(r.speakers), removed: r.removed };
    },
    async rename(from, to) { return commit(records.rename(speakers, from, to)); },
    async reset() { return commit([]); },
    async replaceAll(next) { return commit(records.copySpeakers(next)); },
    async addSpeakers(added) { return commit(records.addSpeakers(speakers, added)); },
    async close() {},
  };
}

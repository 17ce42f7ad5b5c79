// An ordered list of speakers and their samples, changed in place by the mutations of the store interface, with
// the interface's semantics in one place: which call is refused (and with which error), which is a no-op. Shared
// by the adapters that hold the list themselves (memory; the file store while it replays its journal).
//
// Every mutation checks everything first and then changes the list, so a refused one leaves it as it was.
// Enrollment order is the entry order; a rename changes the entry's name, so the speaker keeps its place. Lookups
// by name are O(1), so replaying a long journal stays linear. A sample is whatever the caller keeps per sample
// (a Sample record; the file store keeps where the sample lies in its journal).
import { speakerExists, unknownSpeaker } from './store-interface.mjs';

export class SpeakerRecords {
  #entries = [];          // { name, samples } in enrollment order, removed ones included until #prune()
  #byName = new Map();    // name -> entry (live ones only)

  get size() { return this.#byName.size; }

  has(name) { return this.#byName.has(name); }

  /** The samples of speaker `name` (the list's own array), or undefined. */
  samples(name) { return this.#byName.get(name)?.samples; }

  /** Appends `samples` to speaker `name`, enrolling it at the end when new. */
  addSamples(name, samples) {
    const entry = this.#byName.get(name);
    if (entry) {
      for (const s of samples) entry.samples.push(s);
    } else {
      const added = { name, samples: [...samples] };
      this.#entries.push(added);
      this.#byName.set(name, added);
    }
  }

  /** Removes speaker `name`; false (a no-op) when there is none. */
  remove(name) {
    const entry = this.#byName.get(name);
    if (!entry) return false;
    this.#byName.delete(name);
    entry.samples = null;
    this.#prune();
    return true;
  }

  /** Throws what rename(from, to) would be refused with; false when it would be a no-op (from === to). */
  checkRename(from, to) {
    if (!this.#byName.has(from)) throw unknownSpeaker(from);
    if (from === to) return false;
    if (this.#byName.has(to)) throw speakerExists(to);
    return true;
  }

  /** Renames `from` to `to` in place; false (a no-op) when from === to. Unknown `from` / existing `to` throw. */
  rename(from, to) {
    if (!this.checkRename(from, to)) return false;
    const entry = this.#byName.get(from);
    this.#byName.delete(from);
    entry.name = to;
    this.#byName.set(to, entry);
    return true;
  }

  /** Throws SpeakerExistsError naming the first of `speakers` whose name is enrolled. */
  checkNew(speakers) {
    const clash = speakers.find((s) => this.#byName.has(s.name));
    if (clash) throw speakerExists(clash.name);
  }

  /** Enrolls `speakers` ({ name, samples }) at the end; refused as a whole when any name is enrolled. */
  addSpeakers(speakers) {
    this.checkNew(speakers);
    for (const s of speakers) this.addSamples(s.name, s.samples);
  }

  reset() {
    this.#entries = [];
    this.#byName.clear();
  }

  /** [{ name, samples }] in enrollment order (the list's own arrays: copy before handing them out). */
  speakers() {
    return this.#entries.filter((e) => e.samples !== null);
  }

  // Drops removed entries once they are the majority, so removes stay O(1) amortised and the list stays small.
  #prune() {
    if (this.#entries.length > 2 * this.#byName.size + 16) this.#entries = this.speakers();
  }
}

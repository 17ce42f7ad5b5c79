// Compiled by `tsc -p tests/types` (tests/js/types.test.mjs): the declarations accept the documented usage and,
// through @ts-expect-error, reject misuse (an unused @ts-expect-error is itself an error, so both directions fail).
import {
  SpeakerId, SpeakerIdError, UnknownSpeakerError, NoVoiceError, InternalError, createMemoryStore, createIndexedDbStore,
  DEFAULT_QUALITY, ModelFrontend, loadCore, setAssetBase, getAssetBase, ASSET_NAMES,
  type IdentifyResult, type StoreAdapter, type QualityReport,
} from 'speaker-id';
import { checkAdapter, createIndexedDbStore as createStoreForTabs } from 'speaker-id/stores';
import { createFileStore, readStoredModelId, STORE_FILE } from 'speaker-id/stores/file';

export async function main(mic: Float32Array, file: Uint8Array, blob: Blob): Promise<void> {
  setAssetBase('/speaker-id/');
  setAssetBase(null);
  const base: string | undefined = getAssetBase()?.href;
  console.log(base, ASSET_NAMES.includes('manifest.json'));
  // @ts-expect-error: an asset base is a URL or a string
  setAssetBase(42);
  const sid = await SpeakerId.create({ store: 'indexeddb', threshold: 0.5, quality: { minSpeechSec: 2, strict: true } });
  const one = await sid.enroll('ann', { samples: mic, sampleRate: 48000 });
  const pct: number = one.enrollmentPercent;
  const report: QualityReport = one.quality;
  const many = await sid.enroll('ann', [file, blob]);
  const reports: QualityReport[] = many.quality;
  const damaged = report.issues.some((i) => i.code === 'partial_decode');
  const missingSec: number | undefined = report.partialDecode && report.partialDecode.declaredSec - report.partialDecode.decodedSec;
  console.log(damaged, missingSec, report.partialDecode?.format === 'flac');
  const strict = await sid.identify(file, { threshold: { confidence: 0.9 } });
  const confidence: number | undefined = strict.confidence ?? strict.candidates[0]?.confidence;
  console.log(confidence, strict.thresholdConfidence, sid.model.calibration?.a);
  const backend: 'native' | 'wasm' | 'core' | null = sid.backend;
  // @ts-expect-error the backend is chosen when the session is created (SPEAKER_ID_BACKEND in Node), not set after
  sid.backend = 'wasm';
  console.log(backend);
  const live = sid.stream({ sampleRate: 48000, onEvent: (e) => console.log(e.start, e.speaker ?? 'unknown', e.final) });
  const events = [...await live.push(mic), ...await live.end()];
  const who2: (string | null)[] = (await sid.timeline(file, { hopSec: 1 })).map((e) => e.speaker);
  console.log(events.length, who2);
  // @ts-expect-error the timeline's rate is the recording's own
  await sid.timeline(file, { sampleRate: 16000 });
  // @ts-expect-error a threshold is a number or { confidence }
  await sid.verify('ann', file, { threshold: { score: 0.4 } });
  const who: IdentifyResult = await sid.identify(file, { topK: 3 });
  const name: string | null = who.speaker;
  const { accepted, score } = await sid.verify('ann', blob, { threshold: 0.6 });
  for (const s of await sid.speakers()) console.log(s.name, s.samples, s.enrollmentPercent);
  const removed: boolean = await sid.remove('ann');
  await sid.rename('a', 'b');
  const blobOut: Uint8Array = await sid.exportProfiles();
  await sid.importProfiles(blobOut, { mode: 'merge' });
  const emb: Float32Array = await sid.embed(file);
  console.log(pct, report, reports, name, accepted, score, removed, emb, sid.model.id, sid.model.sha256, DEFAULT_QUALITY.minSpeechSec);
  try {
    await sid.verify('nobody', file);
  } catch (err) {
    if (err instanceof UnknownSpeakerError) console.log(err.code);
    if (err instanceof NoVoiceError) console.log(err.details.speechSec);
    if (err instanceof SpeakerIdError && err.code === 'store_error') console.log(err.message);
  }
  const mine: StoreAdapter = createMemoryStore();
  await SpeakerId.create({ store: mine });
  await SpeakerId.create({ store: { file: '/tmp/enrollments' } });
  await SpeakerId.create({ preprocess: 'speaker-id', lazy: true });
  const core = await loadCore();
  const fe = new ModelFrontend(core, 'ecapa');
  const run = fe.run({ wav: new Uint8Array(44) }, { stages: true });
  const frames: number = run.frames + fe.spec.minFrames;
  console.log(frames, run.modelInput.shape, run.stages?.fbank?.shape);
  fe.dispose();
  try {
    await sid.embed(file);
  } catch (err) {
    if (err instanceof InternalError) console.log(err.code);
  }
  await SpeakerId.create({ store: createIndexedDbStore({ name: 'app' }) });
  await SpeakerId.create({ store: createFileStore('/tmp/enrollments') });
  const storedModel: string | null = await readStoredModelId('/tmp/enrollments');
  console.log(storedModel, STORE_FILE, checkAdapter(createStoreForTabs({ name: 'tabs' })));
  await sid.dispose();

  // @ts-expect-error: the name comes first
  await sid.enroll(file, 'ann');
  // @ts-expect-error: a bare Float32Array has no sample rate
  await sid.identify(mic);
  // @ts-expect-error: unknown import mode
  await sid.importProfiles(blobOut, { mode: 'append' });
  // @ts-expect-error: unknown preprocessing
  await SpeakerId.create({ preprocess: 'enhance' });
  // @ts-expect-error: unknown store kind
  await SpeakerId.create({ store: 'cloud' });
  // @ts-expect-error: adapters take the model descriptor only
  await mine.open({ id: 'm', sha256: 'a'.repeat(64), dim: 192 }, null);
  // @ts-expect-error: identify's speaker may be null
  const definitely: string = who.speaker;
  console.log(definitely);
}

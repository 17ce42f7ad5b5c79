// One tenant's Speaker-ID: a Durable Object holding one SpeakerId whose enrollments live in the object's own
// storage. The Worker (worker.mjs) authenticates, applies CORS and forwards; the object is reachable only through
// it, so its own handler has no tokens (every request is its one tenant) and no CORS of its own.
import { DurableObject } from 'cloudflare:workers';
// Modules wrangler compiles (CompiledWasm) and embeds (Data): workerd has no file system and compiles no wasm at run
// time, so the core's .wasm and the default model travel in the bundle.
import coreWasm from '../../../web/dist/speaker_id_core.wasm';
import defaultModel from '../../../models/compact/compact-ecapa.onnx';
import { SpeakerId } from '../../../web/src/speaker-id.mjs';
import { createDurableObjectStore } from '../../../web/src/stores/durable-object-store.mjs';
import { createHandler, optionsFromEnv } from '../../../web/src/http/handler.mjs';

export class TenantObject extends DurableObject {
  #handler;

  constructor(ctx, env) {
    super(ctx, env);
    // The handler creates the SpeakerId on the first request that needs it and keeps it while the object lives
    // (an evicted object starts again from its storage).
    this.#handler = createHandler({
      ...optionsFromEnv((name) => env[name]),   // the same body limit as the Worker
      tokens: null,
      cors: null,
      runtime: 'cloudflare',
      speakerIdFor: () => SpeakerId.create({ model: defaultModel, wasmModule: coreWasm,
        store: createDurableObjectStore(ctx.storage) }),
    });
  }

  fetch(request) {
    return this.#handler.fetch(request);
  }
}

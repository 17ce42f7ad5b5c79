// One tenant's Speaker-ID: a Durable Object holding one SpeakerId whose enrollments live in the object's own
// storage. The Worker (worker.mjs) authenticates and forwards; the object is reachable only through it, so its
// handler needs no tokens. Requests to one object run one at a time, in the order they arrive.
import { DurableObject } from 'cloudflare:workers';
// Modules wrangler compiles (CompiledWasm) and embeds (Data): workerd has no file system and compiles no wasm at run
// time, so the core's .wasm and the default model travel in the bundle.
import coreWasm from '../../../web/dist/speaker_id_core.wasm';
import defaultModel from '../../../models/compact/compact-ecapa.onnx';
import { SpeakerId } from '../../../web/src/speaker-id.mjs';
import { createDurableObjectStore } from '../../../web/src/stores/durable-object-store.mjs';
import { createHandler } from '../../../web/src/http/handler.mjs';

export class TenantObject extends DurableObject {
  #sid = null;   // Promise<SpeakerId>, created on first use
  #handler = createHandler({ tokens: null, runtime: 'cloudflare', speakerIdFor: () => this.#speakerId() });

  #speakerId() {
    this.#sid ??= SpeakerId.create({ model: defaultModel, wasmModule: coreWasm,
      store: createDurableObjectStore(this.ctx.storage) }).catch((err) => {
      this.#sid = null;  // a failed start is retried by the next request
      throw err;
    });
    return this.#sid;
  }

  fetch(request) {
    return this.#handler.fetch(request);
  }
}

// Cloudflare workerd: the store contract (tests/js/store-contract.mjs) on the Durable Object store, with real
// SQLite-backed Durable Object storage. tests/js/durable-object-store.test.mjs serves this worker with raw workerd
// and asks for one case per request; each case runs in a Durable Object of its own (fresh, empty storage), and
// `reopen` is a second adapter on that object's storage.
//   GET /case?name=<case name>&object=<object name>   -> 200 "ok" | 500 the error
//   POST /write?object=  body: JSON { name, k }         enrolls a sample (persists across a runtime restart)
//   GET /read?object=                                   -> { version, speakers } with the embedding bits as numbers
import { DurableObject } from 'cloudflare:workers';
import { contractCase, MODEL } from '../js/store-contract.mjs';
import { createDurableObjectStore } from '../../web/src/stores/durable-object-store.mjs';

const bits = (f32) => Array.from(new Uint32Array(f32.buffer, f32.byteOffset, f32.length));

export class ContractObject extends DurableObject {
  async fetch(request) {
    const url = new URL(request.url);
    const prefix = url.searchParams.get('prefix') ?? undefined;
    const open = async () => {
      const s = createDurableObjectStore(this.ctx.storage, { prefix });
      await s.open(MODEL);
      return s;
    };
    try {
      if (url.pathname === '/case') {
        const make = () => createDurableObjectStore(this.ctx.storage, { prefix });
        await contractCase(url.searchParams.get('name')).run({ create: make, reopen: make });
        return new Response('ok');
      }
      if (url.pathname === '/write') {
        const { name, samples } = await request.json();
        const s = await open();
        const r = await s.addSamples(name, samples.map((x) => ({ ...x, embedding: new Float32Array(
          new Uint32Array(x.embedding).buffer) })));
        return Response.json(r);
      }
      if (url.pathname === '/read') {
        const { version, speakers } = await (await open()).load();
        return Response.json({ version, speakers: speakers.map((sp) => ({ name: sp.name, samples: sp.samples.map(
          (x) => ({ ...x, embedding: bits(x.embedding), type: Object.prototype.toString.call(x.embedding) })) })) });
      }
      if (url.pathname === '/bad-storage') {
        try {
          createDurableObjectStore({ get() {}, put() {} });
          return new Response('accepted a storage without kv', { status: 500 });
        } catch (err) {
          return Response.json({ code: err.code, message: err.message });
        }
      }
      return new Response('not found', { status: 404 });
    } catch (err) {
      return new Response(`${err.name}: ${err.message}\n${err.stack}`, { status: 500 });
    }
  }
}

export default {
  fetch(request, env) {
    const object = new URL(request.url).searchParams.get('object') ?? 'default';
    return env.CONTRACT.get(env.CONTRACT.idFromName(object)).fetch(request);
  },
};

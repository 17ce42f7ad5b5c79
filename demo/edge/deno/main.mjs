// The Speaker-ID HTTP API on Deno with Deno KV: locally (`npm run edge:deno`, or deno run; README.md) and on Deno
// Deploy. One KV holds every tenant, each under its own prefix ['speaker-id', tenant]; the shared handler
// (web/src/http/handler.mjs) creates one SpeakerId per tenant on first use, with the embedded default model, and
// keeps it. Because every store mutation is a checked atomic operation, several isolates (Deploy) or processes
// (locally, on one KV file) may serve the same tenants: each SpeakerId reloads when the store's version moved.
import { SpeakerId } from '../../../web/src/index.mjs';
import { createDenoKvStore } from '../../../web/src/stores/deno-kv-store.mjs';
import { createHandler, optionsFromEnv } from '../../../web/src/http/handler.mjs';
import { isLoopback, serverConfig } from './config.mjs';

const say = (line) => console.error(`speaker-id (deno): ${line}`);
const get = (name) => Deno.env.get(name);

let config;
let api;
try {
  config = serverConfig(get);
  api = createHandler({
    ...optionsFromEnv(get),
    runtime: 'deno',
    speakerIdFor: (tenant) => SpeakerId.create({ store: createDenoKvStore(kv, { prefix: ['speaker-id', tenant] }) }),
  });
} catch (err) {
  say(err.message);
  Deno.exit(2);
}
if (api.tokens.length === 0) {
  // No tokens: every request is tenant 'default'. Fine on this machine's loopback, not on a reachable address.
  if ((config.deploy || !isLoopback(config.hostname)) && !config.noAuth) {
    say(`refusing to serve ${config.deploy ? 'on Deno Deploy' : config.hostname} without tokens: set ` +
      "SPEAKER_ID_TOKENS ('token:tenant,...'), listen on 127.0.0.1, or set SPEAKER_ID_NO_AUTH=1 to let anyone " +
      'who reaches it enroll and delete speakers');
    Deno.exit(2);
  }
  say("warning: no SPEAKER_ID_TOKENS: no authentication, every request is tenant 'default'");
}
const short = api.tokens.filter((t) => t.short).map((t) => t.tenant);
if (short.length) say(`warning: tokens shorter than 16 characters (tenants ${short.join(', ')}): use long random tokens`);

if (config.stateDir) await Deno.mkdir(config.stateDir, { recursive: true });
const kv = await Deno.openKv(config.kvPath ?? undefined);

const onListen = ({ hostname, port }) => {
  const tenants = api.tokens.length ? `${new Set(api.tokens.map((t) => t.tenant)).size} tenant(s)` : 'no auth';
  say(`listening on http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port} (KV ${config.kvPath ?? 'default'}, ${tenants})`);
};
const fetchHandler = (request) => api.fetch(request);
// Deno Deploy chooses the address itself.
const server = config.deploy ? Deno.serve({ onListen }, fetchHandler)
  : Deno.serve({ hostname: config.hostname, port: config.port, onListen }, fetchHandler);

// SIGINT / SIGTERM: stop accepting, let requests in flight finish, dispose every tenant's SpeakerId, close the KV.
// A second signal while that runs changes nothing; the launcher and a process-group kill may both send one.
let stopping = null;
function stop(signal) {
  stopping ??= (async () => {
    say(`${signal}: shutting down`);
    await server.shutdown();
    await api.close();
    kv.close();
    Deno.exit(0);
  })().catch((err) => {
    say(`shutdown failed: ${err?.message ?? err}`);
    Deno.exit(1);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  try {
    Deno.addSignalListener(signal, () => stop(signal));
  } catch {
    // No signals where the platform owns the process (Deno Deploy).
  }
}

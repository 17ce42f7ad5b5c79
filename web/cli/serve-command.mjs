// `speaker-id serve`: the Speaker-ID HTTP API (web/src/http/handler.mjs) on Node's http server, one file store per
// tenant under --store DIR (DIR/<tenant>). Without tokens it serves loopback addresses only, as the Python service
// is meant to be run (a warning says so); any other address needs SPEAKER_ID_TOKENS or an explicit --no-auth.
import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { SpeakerId } from '../src/speaker-id.mjs';
import { resolveModel } from '../src/model-registry.mjs';
import { createHandler, optionsFromEnv } from '../src/http/handler.mjs';
import { HttpError } from '../src/http/http-error.mjs';
import { UsageError } from './cli-common.mjs';
import { commandOptions, integer } from './cli-options.mjs';
import { serveHttp } from './node-http.mjs';

const env = (k) => process.env[k];

function isLoopback(host) {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

// Home Assistant's rest_command sends `file=<path>`: read it only inside --audio-dir, after resolving symbolic
// links (a link inside the folder to a file outside it is outside).
function audioPathReader(dir) {
  if (!dir) return undefined;
  const root = resolve(dir);
  return async (given) => {
    const path = given.trim();
    const named = isAbsolute(path) ? resolve(path) : resolve(root, path);
    let file;
    try {
      file = await realpath(named);
    } catch (err) {
      throw new HttpError(400, 'file_not_found', `'file' path '${path}': cannot read it (${err.code ?? err.message})`);
    }
    const realRoot = await realpath(root).catch(() => root);
    if (file !== realRoot && !file.startsWith(realRoot + sep)) {
      throw new HttpError(403, 'path_not_allowed', `'file' path '${path}' is outside the server's --audio-dir`);
    }
    try {
      return new Uint8Array(await readFile(file));
    } catch (err) {
      throw new HttpError(400, 'file_not_found', `'file' path '${path}': cannot read it (${err.code ?? err.message})`);
    }
  };
}

export const serveCommand = {
  usage: `usage: speaker-id serve --store DIR [--host H] [--port P] [--model M] [options]
  Serves the Speaker-ID HTTP API (POST /api/enroll, /api/identify, GET /api/profiles, ... see docs/http-api.md).
  Environment: PORT, HOST, SPEAKER_ID_TOKENS ('token:tenant,...': bearer tokens, one tenant each),
  SPEAKER_ID_STATE_DIR (default --store), SPEAKER_ID_MAX_BODY_BYTES, SPEAKER_ID_CORS. Options override them.`,
  options: commandOptions(['model', 'threads'], {
    store: { type: 'string', help: '--store DIR       enrollments: one file store per tenant, DIR/<tenant>' },
    host: { type: 'string', help: '--host H          address to listen on (default 127.0.0.1)' },
    port: { type: 'string', parse: integer(0, 65535), help: '--port P          TCP port (default 8080; 0: any free one)' },
    tokens: { type: 'string', help: "--tokens LIST     'token:tenant,...' (default: SPEAKER_ID_TOKENS; prefer it: a command line is visible to\n                    every local user)" },
    'no-auth': { type: 'boolean', default: false, help: '--no-auth         serve without tokens on a non-loopback address (anyone reaching it can enroll and delete)' },
    'max-body-mb': { type: 'string', parse: integer(1, 1024), help: '--max-body-mb N   largest request body (default 25 MiB; 413 above)' },
    cors: { type: 'string', help: "--cors ORIGINS    '*' or comma-separated origins allowed to call the API from a browser" },
    static: { type: 'string', help: '--static DIR      also serve a web UI folder: DIR/index.html at /, DIR/* under /static/ (Speaker-ID\'s app/static)' },
    'audio-dir': { type: 'string', help: "--audio-dir DIR   let requests name a recording by path ('file=<path>', Home Assistant's rest_command) inside DIR" },
  }),
  async run(values) {
    const store = values.store ?? env('SPEAKER_ID_STATE_DIR');
    if (!store) throw new UsageError('give --store DIR (or SPEAKER_ID_STATE_DIR): where the enrollments are kept');
    const host = values.host ?? env('HOST') ?? '127.0.0.1';
    const port = values.port ?? (env('PORT') ? integer(0, 65535)(env('PORT'), 'PORT') : 8080);
    const fromEnv = optionsFromEnv(env);
    const tokens = values.tokens ?? fromEnv.tokens;
    const model = await resolveModel(values.model);  // fails here, before listening, on a bad --model
    const handler = createHandler({
      ...fromEnv,
      tokens,
      ...(values['max-body-mb'] ? { maxBodyBytes: values['max-body-mb'] * 2 ** 20 } : {}),
      ...(values.cors ? { cors: values.cors } : {}),
      runtime: 'node',
      readAudioPath: audioPathReader(values['audio-dir']),
      speakerIdFor: (tenant) => SpeakerId.create({ model: values.model, store: { file: join(store, tenant) },
        threads: values.threads }),
    });
    if (handler.tokens.length === 0) {
      if (!isLoopback(host) && !values['no-auth']) {
        throw new UsageError(`refusing to serve ${host} without tokens: set SPEAKER_ID_TOKENS ('token:tenant,...'), ` +
          'listen on 127.0.0.1, or pass --no-auth to let anyone who reaches it enroll and delete speakers');
      }
      process.stderr.write('speaker-id serve: warning: no SPEAKER_ID_TOKENS: no authentication, every request is ' +
        `tenant 'default' (${join(store, 'default')})\n`);
    }
    const short = handler.tokens.filter((t) => t.short).map((t) => t.tenant);
    if (short.length) {
      process.stderr.write(`speaker-id serve: warning: tokens shorter than 16 characters (tenants ${short.join(', ')}): ` +
        'use long random tokens (e.g. openssl rand -hex 24)\n');
    }
    const http = await serveHttp(handler, { host, port, staticDir: values.static });
    process.stdout.write(`speaker-id serve: listening on ${http.url} (model ${model.id}, store ${store}, ` +
      `${handler.tokens.length ? `${new Set(handler.tokens.map((t) => t.tenant)).size} tenant(s)` : 'no auth'})\n`);
    await new Promise((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await http.close();
    await handler.close();  // releases every tenant's store
    return 0;
  },
};

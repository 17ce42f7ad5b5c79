// `npm run edge:cloudflare`: the Cloudflare Worker of this folder in local workerd, through the package's pinned
// wrangler: offline, no login, no telemetry. The Worker is bundled first (`wrangler deploy --dry-run`, what a
// deployment uploads) into a private temporary folder and served from there (`wrangler dev --local --no-bundle`):
// `wrangler dev` on the sources would rebuild and restart the runtime whenever a file it bundles changes (a build,
// an editor), answering requests in flight with 503 "Your worker restarted mid-request". Environment:
//   HOST (default 127.0.0.1), PORT (default 8787)   where it listens
//   SPEAKER_ID_STATE_DIR   where the Durable Objects keep their storage (--persist-to); default .wrangler/state here
//   SPEAKER_ID_TOKENS      'token:tenant,token2:tenant2'; unset or empty: no authentication, one tenant 'default'
//   SPEAKER_ID_MAX_BODY_BYTES, SPEAKER_ID_CORS   the handler's body limit and CORS origins (docs/http-api.md)
// Signals are passed on to wrangler; the exit status is wrangler's.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fail = (message) => {
  console.error(`edge:cloudflare: ${message}`);
  process.exit(2);
};

const host = process.env.HOST || '127.0.0.1';
const port = process.env.PORT || '8787';
if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) fail(`PORT must be a port number 1..65535, got '${port}'`);
// The Worker's bindings (read by the handler's optionsFromEnv). Unset or empty ones are left out.
const VARS = ['SPEAKER_ID_TOKENS', 'SPEAKER_ID_MAX_BODY_BYTES', 'SPEAKER_ID_CORS'];
const vars = VARS.filter((name) => process.env[name]);
for (const name of vars) if (/['\r\n]/.test(process.env[name])) fail(`${name} must not contain quotes or line breaks`);

// They go to wrangler in a private .env file, not as --var (the command line, tokens included, is visible to every
// local user). The file is always passed, so a .dev.vars lying in this folder cannot add tokens behind our back.
// Single quotes keep dotenv literal; wrangler's dotenv-expand still expands `$NAME`, unless written `\$`.
const secrets = mkdtempSync(join(tmpdir(), 'speaker-id-cf-'));
chmodSync(secrets, 0o700);
const envFile = join(secrets, '.env');
writeFileSync(envFile, vars.map((name) => `${name}='${process.env[name].replace(/\$/g, '\\$')}'\n`).join(''),
  { mode: 0o600 });

const wrangler = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',          // the banner's update check asks the npm registry
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',  // no download of the Request.cf placeholder data
};

// The bundle, and its configuration: this folder's wrangler.toml with the bundle's entry and no bundling.
const bundle = join(secrets, 'bundle');
const built = spawnSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', bundle, '--config',
  join(here, 'wrangler.toml')], { env: wranglerEnv, encoding: 'utf8' });
if (built.status !== 0) {
  rmSync(secrets, { recursive: true, force: true });
  fail(`bundling the Worker failed:\n${built.stdout}${built.stderr}`);
}
const config = readFileSync(join(here, 'wrangler.toml'), 'utf8');
if (!/^main = "worker\.mjs"$/m.test(config)) fail('wrangler.toml must name main = "worker.mjs"');
writeFileSync(join(bundle, 'wrangler.toml'), config.replace(/^main = "worker\.mjs"$/m, 'main = "worker.js"\nno_bundle = true'));

// State: SPEAKER_ID_STATE_DIR, else .wrangler/state in this folder (where `wrangler dev` here would keep it).
const state = resolve(process.env.SPEAKER_ID_STATE_DIR || join(here, '.wrangler', 'state'));
const args = [wrangler, 'dev', '--local', '--config', join(bundle, 'wrangler.toml'), '--ip', host, '--port', port,
  '--env-file', envFile, '--persist-to', state, '--show-interactive-dev-session=false'];

const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: wranglerEnv });

const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const signal of forwarded) process.on(signal, () => child.kill(signal));
child.on('error', (err) => {
  rmSync(secrets, { recursive: true, force: true });
  fail(`could not start wrangler (${err.message})`);
});
child.on('exit', (code, signal) => {
  rmSync(secrets, { recursive: true, force: true });
  process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  for (const s of forwarded) process.removeAllListeners(s);
});

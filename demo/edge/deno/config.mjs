// The Deno server's settings from its environment, shared by main.mjs (in Deno) and the Node launcher run.mjs
// (which turns them into Deno permissions), so the two can never disagree about the address or the state dir.
// `get(name)` reads one variable (Deno.env.get, or process.env[name]).

/** Every variable the server reads: the launcher grants --allow-env for these and no others. */
export const ENV_VARS = Object.freeze(['HOST', 'PORT', 'SPEAKER_ID_STATE_DIR', 'SPEAKER_ID_TOKENS',
  'SPEAKER_ID_MAX_BODY_BYTES', 'SPEAKER_ID_CORS', 'SPEAKER_ID_NO_AUTH', 'DENO_DEPLOYMENT_ID', 'DENO_REGION']);
export const KV_FILE = 'speaker-id.kv';

export const isLoopback = (host) => host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/**
 * -> { hostname, port, stateDir, kvPath, noAuth, deploy }. deploy: on Deno Deploy (it sets DENO_DEPLOYMENT_ID /
 * DENO_REGION), which picks the address itself. kvPath null: Deno.openKv()'s default (on Deno Deploy,
 * the project's KV). Throws an Error saying what was wrong and what is accepted.
 */
export function serverConfig(get) {
  const hostname = get('HOST') || '127.0.0.1';
  const portText = get('PORT') || '8000';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) throw new Error(`PORT must be an integer in 0..65535, got '${portText}'`);
  const stateDir = get('SPEAKER_ID_STATE_DIR') || null;
  const noAuth = get('SPEAKER_ID_NO_AUTH') || '';
  if (!['', '0', '1'].includes(noAuth)) throw new Error(`SPEAKER_ID_NO_AUTH must be 1 or 0, got '${noAuth}'`);
  return { hostname, port, stateDir, kvPath: stateDir ? `${stateDir.replace(/\/+$/, '')}/${KV_FILE}` : null,
    noAuth: noAuth === '1', deploy: Boolean(get('DENO_DEPLOYMENT_ID') || get('DENO_REGION')) };
}

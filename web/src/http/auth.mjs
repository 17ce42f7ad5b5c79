// Bearer tokens -> tenants. SPEAKER_ID_TOKENS is a comma-separated list of `token:tenant` pairs; a request's
// `Authorization: Bearer <token>` names its tenant, and every stored speaker belongs to exactly one tenant.
// Tokens are compared as SHA-256 digests, over every configured token without an early exit, so the time taken
// says nothing about how much of a guess was right. No tokens configured means no auth: every request is tenant
// 'default' (the Python service's behaviour; `speaker-id serve` allows it on loopback addresses only).
import { InvalidArgumentError } from '../errors.mjs';

export const DEFAULT_TENANT = 'default';
// Tenants name directories (Node), Durable Objects and KV key prefixes: a safe, portable subset.
const TENANT_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const TOKEN_RE = /^[\x21-\x7e]{1,512}$/;  // printable ASCII without spaces (commas separate entries)
export const SHORT_TOKEN = 16;  // shorter tokens are accepted; `speaker-id serve` warns about them

async function digest(text) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/**
 * 'tok:tenant,tok2:tenant2' (or null / '') -> [{ token, tenant, short }] (empty: no auth). Throws
 * InvalidArgumentError on a malformed list, so a server refuses to start rather than run with half its tokens.
 */
export function parseTokens(spec) {
  if (spec === undefined || spec === null || String(spec).trim() === '') return [];
  const seen = new Map();
  const out = [];
  for (const [i, raw] of String(spec).split(',').entries()) {
    const pair = raw.trim();
    const at = pair.lastIndexOf(':');
    const token = at > 0 ? pair.slice(0, at) : '';
    const tenant = at > 0 ? pair.slice(at + 1) : '';
    if (!TOKEN_RE.test(token) || !TENANT_RE.test(tenant)) {
      throw new InvalidArgumentError(`SPEAKER_ID_TOKENS entry ${i + 1} is not 'token:tenant' (token: 1-512 printable ` +
        'characters without spaces or commas; tenant: 1-64 of A-Z a-z 0-9 _ -, starting with a letter or digit)');
    }
    if (seen.has(token) && seen.get(token) !== tenant) {
      throw new InvalidArgumentError(`SPEAKER_ID_TOKENS entry ${i + 1}: the same token is given for tenants ` +
        `'${seen.get(token)}' and '${tenant}'`);
    }
    seen.set(token, tenant);
    out.push({ token, tenant, short: token.length < SHORT_TOKEN });
  }
  return out;
}

/** tokens (parseTokens) -> async (request) => its tenant, or null when it carries no valid token. */
export function tokenMatcher(tokens) {
  if (tokens.length === 0) return async () => DEFAULT_TENANT;
  let digests = null;
  return async (request) => {
    digests ??= Promise.all(tokens.map(async (t) => ({ tenant: t.tenant, digest: await digest(t.token) })));
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.get('authorization') ?? '');
    if (!m) return null;
    const given = await digest(m[1]);
    let found = null;
    for (const t of await digests) {
      let diff = 0;
      for (let k = 0; k < given.length; k++) diff |= given[k] ^ t.digest[k];
      if (diff === 0 && found === null) found = t.tenant;
    }
    return found;
  };
}

export const validTenant = (name) => typeof name === 'string' && TENANT_RE.test(name);

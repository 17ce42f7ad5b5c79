// The Worker in front of the tenant objects: CORS, bearer-token authentication (SPEAKER_ID_TOKENS maps tokens to
// tenants) and body limits happen here, in the shared HTTP handler; each authenticated request then goes to the
// Durable Object of its tenant, which alone holds and changes that tenant's enrollments.
import { createHandler } from '../../../web/src/http/handler.mjs';

export { TenantObject } from './tenant-object.mjs';

// One handler per isolate and token list (env is the same object for every request of a deployment version).
let cached = null;

function handlerFor(env) {
  const tokens = env.SPEAKER_ID_TOKENS || null;
  if (cached?.tokens !== tokens) {
    cached = {
      tokens,
      handler: createHandler({
        tokens,
        runtime: 'cloudflare',
        forward: (tenant, request) => env.TENANTS.get(env.TENANTS.idFromName(tenant)).fetch(request),
      }),
    };
  }
  return cached.handler;
}

export default {
  fetch(request, env) {
    return handlerFor(env).fetch(request);
  },
};

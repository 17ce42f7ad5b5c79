// The Worker in front of the tenant objects: CORS, bearer-token authentication (SPEAKER_ID_TOKENS maps tokens to
// tenants) and the body limit happen here, in the shared HTTP handler; each authenticated request then goes to the
// Durable Object of its tenant, which alone holds and changes that tenant's enrollments.
import { createHandler, optionsFromEnv } from '../../../web/src/http/handler.mjs';

export { TenantObject } from './tenant-object.mjs';

// One handler per isolate, rebuilt only when the bindings change (a new deployment or secret is a new env object).
let cached = { env: null, handler: null };

function handlerFor(env) {
  if (cached.env !== env) {
    cached = {
      env,
      handler: createHandler({
        ...optionsFromEnv((name) => env[name]),
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

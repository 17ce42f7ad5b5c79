// Declarations of `speaker-id/http` (handler.mjs): the Speaker-ID HTTP API as a fetch-style handler, for any
// runtime with Request / Response (docs/http-api.md).
import type { SpeakerId } from '../index.js';

export interface HandlerOptions {
  /** Runs the routes here: the SpeakerId of a tenant, created on first use and kept until close(). */
  speakerIdFor?: (tenant: string) => Promise<SpeakerId>;
  /** Instead: hands each authenticated request on (e.g. to the tenant's Durable Object); header x-speaker-id-tenant set. */
  forward?: (tenant: string, request: Request) => Promise<Response>;
  /** 'token:tenant,token2:tenant2' (SPEAKER_ID_TOKENS); null or '' = no auth, every request is tenant 'default'. */
  tokens?: string | null;
  /** Largest request body in bytes (default 25 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** '*' or comma-separated origins allowed to call from a browser (default: none). */
  cors?: string | null;
  /** Reported by GET /api/config. */
  runtime?: string;
  /** Reads a recording a request names by path (Home Assistant's `file=<path>`); absent: such requests get 400. */
  readAudioPath?: (path: string) => Promise<Uint8Array>;
  /** Where unexpected errors are logged (default console.error). */
  log?: (err: unknown) => void;
}

export interface Handler {
  fetch(request: Request): Promise<Response>;
  /** Disposes every tenant's SpeakerId; later requests get 503. */
  close(): Promise<void>;
  /** The configured tenants (no secrets); `short`: a token under 16 characters. */
  readonly tokens: ReadonlyArray<{ tenant: string; short: boolean }>;
}

export function createHandler(options: HandlerOptions): Handler;
/** The options the environment gives: SPEAKER_ID_TOKENS, SPEAKER_ID_MAX_BODY_BYTES, SPEAKER_ID_CORS. */
export function optionsFromEnv(get: (name: string) => string | undefined | null): Partial<HandlerOptions>;
export const TENANT_HEADER: 'x-speaker-id-tenant';

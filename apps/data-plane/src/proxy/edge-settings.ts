type Env = Readonly<Record<string, string | undefined>>;

/**
 * How the proxy holds its client edge, as nginx does under Kong: read timeouts for heads and
 * bodies, an idle keep-alive timeout, caps on open connections, and the bounds of request and
 * response buffering. Read from the environment beside the data plane's other settings.
 */
export interface EdgeSettings {
  /** TOLLGATE_CLIENT_HEADER_TIMEOUT (Kong's client_header_timeout, 60 s): a request head must arrive whole within it. */
  readonly clientHeaderTimeoutMs: number;
  /** TOLLGATE_CLIENT_BODY_TIMEOUT (Kong's client_body_timeout, 60 s): the longest wait between two reads of a body. */
  readonly clientBodyTimeoutMs: number;
  /** TOLLGATE_CLIENT_KEEPALIVE_TIMEOUT (Kong's keepalive_timeout, 60 s): an idle keep-alive connection is closed after it. */
  readonly keepAliveTimeoutMs: number;
  /** TOLLGATE_WORKER_CONNECTIONS: client connections one serving process holds; null = from its descriptor limit. */
  readonly workerConnections: number | null;
  /** TOLLGATE_MAX_CONNECTIONS: client connections of the whole node, shared evenly by its workers; null = no cap beyond theirs. */
  readonly maxConnections: number | null;
  /** TOLLGATE_CLIENT_BODY_BUFFER_SIZE: bytes of a buffered request body kept in memory before it goes to a temp file. */
  readonly clientBodyBufferBytes: number;
  /** TOLLGATE_PROXY_BUFFER_SIZE: bytes of a buffered response kept in memory for a slow client before a temp file. */
  readonly proxyBufferBytes: number;
}

const DURATION = /^(\d+)\s*(ms|s)?$/;

/** `60s`, `1500ms` or a bare number of milliseconds; `0` turns the timeout off. */
export function parseDuration(env: Env, variable: string, fallbackMs: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallbackMs;
  const match = DURATION.exec(raw.trim());
  const ms = match === null ? NaN : Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  if (!Number.isSafeInteger(ms) || ms > 2_147_483_647) {
    throw new Error(`${variable}: expected a duration such as 60s or 1500ms (a bare number is milliseconds), got '${raw}'`);
  }
  return ms;
}

/** A positive integer, or `auto` (and unset) for null. */
function countOrAuto(env: Env, variable: string): number | null {
  const raw = (env[variable] ?? '').trim();
  if (raw === '' || raw === 'auto') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${variable}: expected a positive integer or auto, got '${env[variable]}'`);
  return Number(raw);
}

function bytes(env: Env, variable: string, fallback: number): number {
  const raw = (env[variable] ?? '').trim();
  if (raw === '') return fallback;
  const match = /^(\d+)([km])?$/i.exec(raw);
  if (match === null) throw new Error(`${variable}: expected a size in bytes, or with k or m (for example 64k), got '${env[variable]}'`);
  const unit = match[2]?.toLowerCase();
  return Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
}

export function readEdgeSettings(env: Env): EdgeSettings {
  return Object.freeze({
    clientHeaderTimeoutMs: parseDuration(env, 'TOLLGATE_CLIENT_HEADER_TIMEOUT', 60_000),
    clientBodyTimeoutMs: parseDuration(env, 'TOLLGATE_CLIENT_BODY_TIMEOUT', 60_000),
    keepAliveTimeoutMs: parseDuration(env, 'TOLLGATE_CLIENT_KEEPALIVE_TIMEOUT', 60_000),
    workerConnections: countOrAuto(env, 'TOLLGATE_WORKER_CONNECTIONS'),
    maxConnections: countOrAuto(env, 'TOLLGATE_MAX_CONNECTIONS'),
    clientBodyBufferBytes: bytes(env, 'TOLLGATE_CLIENT_BODY_BUFFER_SIZE', 64 * 1024),
    proxyBufferBytes: bytes(env, 'TOLLGATE_PROXY_BUFFER_SIZE', 1024 * 1024),
  });
}

import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** Metering settings, read from the environment beside the data plane's own (12-factor). */
export interface UsageSettings {
  /** TOLLGATE_USAGE (`on` by default): `off` meters nothing, opens no journal and never talks to Redis. */
  readonly enabled: boolean;
  /** TOLLGATE_USAGE_FLUSH_INTERVAL (seconds, default 5): the most usage a SIGKILL can lose. */
  readonly flushIntervalMs: number;
  /** TOLLGATE_USAGE_JOURNAL_MAX_BYTES (default 256 MiB): disk kept for batches while Redis is down. */
  readonly maxJournalBytes: number;
}

function positive(env: Env, variable: string, fallback: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) throw new Error(`${variable}: expected an integer from 1 to ${max}, got '${raw}'`);
  return value;
}

function onOff(env: Env, variable: string): boolean {
  const raw = (env[variable] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new Error(`${variable}: expected on or off, got '${env[variable]}'`);
}

export function readUsageSettings(env: Env = process.env): UsageSettings {
  return Object.freeze({
    enabled: onOff(env, 'TOLLGATE_USAGE'),
    flushIntervalMs: positive(env, 'TOLLGATE_USAGE_FLUSH_INTERVAL', 5, 300) * 1000,
    maxJournalBytes: positive(env, 'TOLLGATE_USAGE_JOURNAL_MAX_BYTES', 256 * 1024 * 1024, Number.MAX_SAFE_INTEGER),
  });
}

/**
 * Each serving process journals apart: the in-process data plane and cluster worker slot `n`
 * under `usage/worker-n`. A worker that replaces a dead one gets its slot, so it sends what its
 * predecessor journaled.
 */
export function usageJournalDir(prefix: string, worker = 0): string {
  return join(prefix, 'usage', `worker-${worker}`);
}

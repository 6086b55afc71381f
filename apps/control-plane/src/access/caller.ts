import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from './roles';

/** Who is making the current admin request, as the audit log names them. */
export interface Caller {
  /** `token` for a token's holder; `local` for the open loopback API before any token exists; `bootstrap` for the start-up token. */
  readonly kind: 'token' | 'local' | 'bootstrap';
  readonly tokenId: string | null;
  /** The token's name, or `local` / `bootstrap`. */
  readonly name: string;
  readonly role: Role;
  /** A provider's organization; null for every other role. */
  readonly organizationId: string | null;
  readonly requestId: string | null;
}

export const LOCAL_CALLER: Caller = Object.freeze({ kind: 'local', tokenId: null, name: 'local', role: 'admin', organizationId: null, requestId: null });
export const BOOTSTRAP_CALLER: Caller = Object.freeze({ ...LOCAL_CALLER, kind: 'bootstrap', name: 'bootstrap' });

const NO_ORGANIZATION = '00000000-0000-0000-0000-000000000000';

const storage = new AsyncLocalStorage<Caller>();

/** The caller of the request being served; work started by the control plane itself acts as `local`. */
export function currentCaller(): Caller {
  return storage.getStore() ?? LOCAL_CALLER;
}

export function runAsCaller<T>(caller: Caller, fn: () => T): T {
  return storage.run(caller, fn);
}

/** The organization a provider is confined to, or null when the caller sees everything. */
export function providerOrganization(): string | null {
  const caller = currentCaller();
  if (caller.role !== 'provider') return null;
  // A provider without an organization (never stored: a token check refuses it) sees nothing.
  return caller.organizationId ?? NO_ORGANIZATION;
}

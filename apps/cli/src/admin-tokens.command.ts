import { AdminApiClient } from './admin-api-client';
import { CliError, processIo, runCommand, type CommandIo } from './command-runner';

export const TOKEN_ROLES = ['admin', 'operator', 'provider', 'billing-reader', 'read-only'] as const;

export interface AdminTokenCreateArgs {
  readonly adminUrl: string;
  /** The caller's own token; none while the loopback admin API has no token yet. */
  readonly token?: string;
  readonly role: string;
  readonly name: string;
  /** A provider's organization, by id or name. */
  readonly organization?: string;
  /** Unix seconds after which the new token is refused. */
  readonly expiresAt?: number;
}

interface CreatedToken {
  id: string;
  name: string;
  role: string;
  token: string;
}

/**
 * `tollgate admin-tokens create`: a new admin token through `POST /admin-tokens`. The secret is
 * printed alone on stdout (so `$(...)` captures it), once; the control plane keeps only its hash.
 */
export function adminTokenCreateCommand(args: AdminTokenCreateArgs, io: CommandIo = processIo): Promise<number> {
  return runCommand(io, async () => {
    if (args.role === 'provider' && !args.organization) throw new CliError('a provider token needs --organization <id or name>');
    const organization = args.organization === undefined ? undefined : /^[0-9a-f-]{36}$/i.test(args.organization) ? { id: args.organization } : { name: args.organization };
    const body = { name: args.name, role: args.role, organization, expires_at: args.expiresAt };
    const created = (await new AdminApiClient(args.adminUrl, args.token).post('/admin-tokens', body)) as CreatedToken;
    io.err(`Created admin token '${created.name}' (id ${created.id}, role ${created.role}). Store the secret now: it is never shown again.`);
    io.out(created.token);
    return 0;
  });
}

export interface AdminTokenRevokeArgs {
  readonly adminUrl: string;
  readonly token?: string;
  readonly id: string;
}

/** `tollgate admin-tokens revoke <id>`: refused at once by the replica asked, within a second by the others. */
export function adminTokenRevokeCommand(args: AdminTokenRevokeArgs, io: CommandIo = processIo): Promise<number> {
  return runCommand(io, async () => {
    await new AdminApiClient(args.adminUrl, args.token).delete(`/admin-tokens/${encodeURIComponent(args.id)}`);
    io.out(`Revoked admin token ${args.id}.`);
    return 0;
  });
}

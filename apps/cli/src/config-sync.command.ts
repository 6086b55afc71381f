import { AdminApiClient } from './admin-api-client';
import { CliError, processIo, runCommand, type CommandIo } from './command-runner';
import { readDeclarativeFile } from './declarative-file-reader';
import { countChanges, entityLabel, entityNames, formatChanges } from './diff-report';
import { diffEntities } from './entity-diff';
import { planRequests, type AdminRequest } from './sync-plan';

export interface ConfigSyncArgs {
  readonly file: string;
  readonly adminUrl: string;
  /** Admin token for an admin API that requires one. */
  readonly token?: string;
  /** Print what would change, change nothing. */
  readonly dryRun?: boolean;
}

const DONE: Readonly<Record<string, string>> = { create: 'created', update: 'updated', delete: 'deleted' };

async function send(client: AdminApiClient, request: AdminRequest): Promise<void> {
  if (request.method === 'PUT') await client.put(request.path, request.body!);
  else await client.delete(request.path);
}

/**
 * `tollgate config sync FILE`: makes the control plane match the file through the admin API,
 * one PUT or DELETE per changed entity; stops at the first request the admin API refuses.
 */
export function configSyncCommand(args: ConfigSyncArgs, io: CommandIo = processIo): Promise<number> {
  return runCommand(io, async () => {
    const desired = readDeclarativeFile(args.file);
    const client = new AdminApiClient(args.adminUrl, args.token);
    const current = await client.exportConfig();
    const changes = diffEntities(desired, current);
    const names = entityNames(desired, current);
    if (changes.length === 0) {
      io.out(`Nothing to do: ${args.adminUrl} already matches ${args.file}.`);
      return 0;
    }
    const counts = countChanges(changes);
    const summary = `${counts.create} created, ${counts.update} updated, ${counts.delete} deleted`;
    if (args.dryRun) {
      for (const line of formatChanges(changes, names)) io.out(line);
      io.out(`Dry run: would have ${summary}; nothing was changed.`);
      return 0;
    }
    const requests = planRequests(changes);
    for (const [done, request] of requests.entries()) {
      try {
        await send(client, request);
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        const applied = done === 0 ? 'nothing was changed' : `${done} of ${requests.length} changes were applied before it`;
        throw new CliError(`${err.message}\nsync stopped: ${applied}. Fix the cause and run the sync again.`);
      }
      const { change } = request;
      io.out(`${DONE[change.action]} ${change.collection} ${entityLabel(change.collection, (change.desired ?? change.current)!, names)}`);
    }
    io.out(`Synced ${args.file} to ${args.adminUrl}: ${summary}.`);
    return 0;
  });
}

import { AdminApiClient } from './admin-api-client';
import { processIo, runCommand, type CommandIo } from './command-runner';
import { readDeclarativeFile } from './declarative-file-reader';
import { countChanges, entityNames, formatChanges } from './diff-report';
import { diffEntities } from './entity-diff';

export interface ConfigDiffArgs {
  readonly file: string;
  readonly adminUrl: string;
  /** Admin token for an admin API that requires one. */
  readonly token?: string;
}

/** Exit code when the control plane differs from the file (1 is kept for errors). */
export const EXIT_DIFFERENT = 2;

/** `tollgate config diff FILE`: what `config sync` would change, changing nothing. */
export function configDiffCommand(args: ConfigDiffArgs, io: CommandIo = processIo): Promise<number> {
  return runCommand(io, async () => {
    const desired = readDeclarativeFile(args.file);
    const current = await new AdminApiClient(args.adminUrl, args.token).exportConfig();
    const changes = diffEntities(desired, current);
    if (changes.length === 0) {
      io.out(`No differences: ${args.adminUrl} matches ${args.file}.`);
      return 0;
    }
    for (const line of formatChanges(changes, entityNames(desired, current))) io.out(line);
    const counts = countChanges(changes);
    io.out(`Syncing ${args.file} would create ${counts.create}, update ${counts.update} and delete ${counts.delete} entities.`);
    return EXIT_DIFFERENT;
  });
}

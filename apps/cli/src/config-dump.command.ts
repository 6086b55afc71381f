import { exportDeclarativeConfig } from '@tollgate/config';
import { writeFileSync } from 'node:fs';
import { AdminApiClient } from './admin-api-client';
import { CliError, describeFileError, processIo, runCommand, type CommandIo } from './command-runner';
import { countEntities } from './declarative-file-reader';

export interface ConfigDumpArgs {
  readonly adminUrl: string;
  /** Admin token for an admin API that requires one. */
  readonly token?: string;
  /** Written here (mode 0600 when created: it holds keys and secrets); stdout when absent. */
  readonly out?: string;
}

/** `tollgate config dump`: the control plane's configuration as a Kong-format declarative file. */
export function configDumpCommand(args: ConfigDumpArgs, io: CommandIo = processIo): Promise<number> {
  return runCommand(io, async () => {
    const entities = await new AdminApiClient(args.adminUrl, args.token).exportConfig();
    const yaml = exportDeclarativeConfig(entities);
    if (args.out === undefined) {
      io.out(yaml.trimEnd());
      return 0;
    }
    try {
      writeFileSync(args.out, yaml, { mode: 0o600 });
    } catch (err) {
      throw new CliError(`cannot write ${describeFileError(args.out, err)}`);
    }
    io.out(`Wrote ${args.out} from ${args.adminUrl}: ${countEntities(entities)}`);
    if (entities.basicauth_credentials.length > 0) {
      io.err('warning: the admin API never returns basic-auth passwords, so the file has none; add them before loading it');
    }
    return 0;
  });
}

import { processIo, runCommand, type CommandIo } from './command-runner';
import { countEntities, readDeclarativeFile } from './declarative-file-reader';

export interface ConfigValidateArgs {
  readonly file: string;
}

/** `tollgate config validate FILE`: checks a declarative file without touching any control plane. */
export function configValidateCommand(args: ConfigValidateArgs, io: CommandIo = processIo): Promise<number> {
  return runCommand(io, () => {
    const entities = readDeclarativeFile(args.file);
    io.out(`${args.file} is valid: ${countEntities(entities)}`);
    return 0;
  });
}

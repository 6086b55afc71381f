/** Where a command writes: stdout for results, stderr for problems. Tests pass their own. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A failure the user can fix (bad file, unreachable admin API): printed as is, no stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * Runs a command's body and turns every failure into a message and an exit code. Anything
 * other than a CliError is a bug in the CLI: its stack is shown only with TOLLGATE_DEBUG set.
 */
export async function runCommand(io: CommandIo, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`error: ${err.message}`);
      return err.exitCode;
    }
    const error = err instanceof Error ? err : new Error(String(err));
    io.err(`error: unexpected failure: ${error.message}`);
    if (process.env.TOLLGATE_DEBUG) io.err(error.stack ?? '');
    return 1;
  }
}

/** `ENOENT: no such file or directory, open 'x'` as `x: no such file or directory`. */
export function describeFileError(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory, not a file',
    ENOTDIR: 'a parent of it is not a directory',
    EEXIST: 'already exists',
  };
  return `${path}: ${(code && reasons[code]) ?? (err as Error).message}`;
}

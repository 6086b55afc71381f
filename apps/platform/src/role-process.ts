import { fork, type ChildProcess } from 'node:child_process';

/** Set on a process the platform forks: which role its copy of this entry point plays. */
export const PLATFORM_ROLE_ENV = 'TOLLGATE_PLATFORM_ROLE';
export type PlatformRole = 'control-plane' | 'data-plane';

/**
 * Forks this same entry point (source through the register hook, or the built main.js) in a
 * role, so the platform runs the way it was started and a build needs no second entry point.
 * The data plane's cluster workers re-run it too and inherit the role.
 */
export function forkRole(role: PlatformRole, env: Record<string, string>): ChildProcess {
  return fork(process.argv[1], [], {
    execArgv: process.execArgv,
    env: { ...process.env, ...env, [PLATFORM_ROLE_ENV]: role },
    stdio: 'inherit',
  });
}

/** Loads the role's own main (which starts it) when this process was forked as one. */
export async function runForkedRole(): Promise<boolean> {
  const role = process.env[PLATFORM_ROLE_ENV];
  if (role === 'data-plane') await import('@tollgate/data-plane-main');
  else if (role === 'control-plane') await import('@tollgate/control-plane-main');
  else return false;
  return true;
}

import type { ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PlatformOptions } from './platform-options';
import { forkRole } from './role-process';

/** Where each process of a multi-region platform listens: one port block per replica / region. */
export function controlPlaneEnv(replica: number, portOffset: number): Record<string, string> {
  return {
    TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${portOffset + 8001 + replica}`,
    TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${portOffset + 8005 + replica}`,
  };
}

export function dataPlaneEnv(region: string, index: number, controlPlanes: number, portOffset: number): Record<string, string> {
  const offset = portOffset + index * 10;
  return {
    TOLLGATE_REGION: region,
    TOLLGATE_NODE_NAME: `${region}-1`,
    TOLLGATE_PREFIX: join('.tollgate', `${region}-1`),
    // Regions spread over the replicas: a write through any replica reaches all of them.
    TOLLGATE_CONTROL_PLANE: `127.0.0.1:${portOffset + 8005 + (index % controlPlanes)}`,
    TOLLGATE_PROXY_LISTEN: `0.0.0.0:${8000 + offset}`,
    TOLLGATE_PROXY_SSL_LISTEN: `0.0.0.0:${8443 + offset}`,
    TOLLGATE_STATUS_LISTEN: `127.0.0.1:${8100 + offset}`,
  };
}

function statusOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.setTimeout(1000, () => request.destroy());
  });
}

/** Resolves once the admin API answers; rejects if the process exits first. */
async function untilAdminReady(child: ChildProcess, adminListen: string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`control plane on ${adminListen} exited while starting`);
    if (await statusOk(`http://${adminListen}/status`)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Control-plane replicas one after another (the first creates and migrates the database and
 * the development cluster certificate the others then find), then a data plane per region.
 */
export async function startMultiRegion(options: PlatformOptions & { regions: readonly string[] }, log: Logger): Promise<ChildProcess[]> {
  const { regions, controlPlanes, portOffset } = options;
  const children: ChildProcess[] = [];
  try {
    await startControlPlanes(controlPlanes, portOffset, children, log);
  } catch (error) {
    for (const child of children) child.kill('SIGTERM');
    throw error;
  }
  regions.forEach((region, index) => {
    const env = dataPlaneEnv(region, index, controlPlanes, portOffset);
    children.push(forkRole('data-plane', env));
    log.info({ region, proxy: env.TOLLGATE_PROXY_LISTEN, status: env.TOLLGATE_STATUS_LISTEN, control_plane: env.TOLLGATE_CONTROL_PLANE }, 'data plane started');
  });
  return children;
}

async function startControlPlanes(controlPlanes: number, portOffset: number, children: ChildProcess[], log: Logger): Promise<void> {
  for (let replica = 0; replica < controlPlanes; replica++) {
    const env = controlPlaneEnv(replica, portOffset);
    const child = forkRole('control-plane', env);
    children.push(child);
    await untilAdminReady(child, env.TOLLGATE_ADMIN_LISTEN);
    log.info({ replica: replica + 1, admin: `http://${env.TOLLGATE_ADMIN_LISTEN}`, cluster: env.TOLLGATE_CLUSTER_LISTEN }, 'control plane replica ready');
  }
}

import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Healthchecks } from '@tollgate/config';
import type { ProbeResult } from './health-tracker';
import type { TargetAddress } from './types';

type ActiveChecks = Healthchecks['active'];

/** A timeout of 0 would fail every probe at once; Kong's default is used instead. */
const DEFAULT_TIMEOUT_MS = 1_000;

/**
 * One active probe of one target, on a connection of its own that it closes (as Kong's checker
 * does): an HTTP(S) GET of http_path judged by its status line, or for tcp / grpc(s) a connect.
 * Never rejects; `signal` aborts it when the balancer closes.
 */
export function sendProbe(target: TargetAddress, checks: ActiveChecks, signal: AbortSignal): Promise<ProbeResult> {
  const timeoutMs = checks.timeout > 0 ? checks.timeout * 1000 : DEFAULT_TIMEOUT_MS;
  return new Promise<ProbeResult>((resolve) => {
    if (signal.aborted) return resolve({ kind: 'tcp_error' });
    let settled = false;
    let destroy: () => void = () => undefined;
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    timer.unref();
    const onAbort = (): void => finish({ kind: 'tcp_error' });
    signal.addEventListener('abort', onAbort);
    function finish(result: ProbeResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      destroy();
      resolve(result);
    }
    destroy = checks.type === 'http' || checks.type === 'https' ? httpProbe(target, checks, finish) : connectProbe(target, checks, finish);
  });
}

function httpProbe(target: TargetAddress, checks: ActiveChecks, finish: (r: ProbeResult) => void): () => void {
  const tls = checks.type === 'https';
  const options = {
    host: target.host,
    port: target.port,
    path: checks.http_path,
    method: 'GET',
    headers: checks.headers === null ? undefined : Object.fromEntries(Object.entries(checks.headers).map(([k, v]) => [k, [...v]])),
    agent: false as const,
    ...(tls ? tlsOptions(target, checks) : {}),
  };
  const req: ClientRequest = (tls ? httpsRequest : httpRequest)(options);
  // The status line is all that is judged; the body is not waited for.
  req.on('response', (res) => {
    finish({ kind: 'status', status: res.statusCode ?? 0 });
    res.resume();
  });
  req.on('error', () => finish({ kind: 'tcp_error' }));
  req.on('socket', unrefSocket);
  req.end();
  return () => req.destroy();
}

function connectProbe(target: TargetAddress, checks: ActiveChecks, finish: (r: ProbeResult) => void): () => void {
  const socket =
    checks.type === 'grpcs'
      ? tlsConnect({ host: target.host, port: target.port, ...tlsOptions(target, checks) }, () => finish({ kind: 'connected' }))
      : netConnect({ host: target.host, port: target.port }, () => finish({ kind: 'connected' }));
  socket.on('error', () => finish({ kind: 'tcp_error' }));
  unrefSocket(socket);
  return () => socket.destroy();
}

function tlsOptions(target: TargetAddress, checks: ActiveChecks): { rejectUnauthorized: boolean; servername?: string } {
  const servername = checks.https_sni ?? (isIP(target.host) === 0 ? target.host : undefined);
  return { rejectUnauthorized: checks.https_verify_certificate, ...(servername !== undefined ? { servername } : {}) };
}

/** A probe in flight must not keep a shutting-down process alive. */
function unrefSocket(socket: Socket): void {
  socket.unref();
}

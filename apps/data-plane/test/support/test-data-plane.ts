import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { readDataPlaneSettings, startDataPlane, type DataPlaneOptions, type DataPlaneSettings, type RunningDataPlane } from '../../src/data-plane';

/** A unique Redis key prefix per suite (and run), so suites never share counters. */
export function redisPrefix(suite: string): string {
  return `tollgate-test:${suite}:${randomBytes(4).toString('hex')}:`;
}

/** Settings for an in-process data plane on free loopback ports, quiet, serving in this process. */
export function testSettings(overrides: Partial<DataPlaneSettings> = {}): DataPlaneSettings {
  return {
    ...readDataPlaneSettings({ TOLLGATE_NODE_NAME: 'test', TOLLGATE_WORKERS: '0' }),
    proxyListen: { host: '127.0.0.1', port: 0 },
    proxySslListen: null,
    statusListen: { host: '127.0.0.1', port: 0 },
    workers: 0,
    logLevel: 'silent',
    drainTimeoutMs: 5000,
    redisKeyPrefix: redisPrefix('dp'),
    ...overrides,
  };
}

export function startTestDataPlane(overrides: Partial<DataPlaneSettings> = {}, options: DataPlaneOptions = {}): Promise<RunningDataPlane> {
  return startDataPlane(testSettings(overrides), options);
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on a fresh connection (no agent), body read whole. */
export function send(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes on a new connection and returns everything the server sent until it closed (or `waitMs`). */
export function sendRaw(url: string, raw: string, waitMs = 1000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw));
    let received = '';
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

export function json<T = Record<string, unknown>>(reply: Reply): T {
  return JSON.parse(reply.body) as T;
}

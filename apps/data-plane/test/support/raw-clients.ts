import { connect, type Socket } from 'node:net';

/** A raw client connection and what happened to it: bytes received, when the server closed it. */
export interface RawClient {
  readonly socket: Socket;
  readonly openedAt: number;
  received: string;
  /** ms from open to close; null while open. */
  closedAfter: number | null;
  connected: boolean;
  closed: Promise<void>;
}

export function openRaw(port: number, onConnect?: (client: RawClient) => void): RawClient {
  const socket = connect(port, '127.0.0.1');
  let done!: () => void;
  const client: RawClient = { socket, openedAt: Date.now(), received: '', closedAfter: null, connected: false, closed: new Promise((resolve) => (done = resolve)) };
  socket.on('connect', () => {
    client.connected = true;
    onConnect?.(client);
  });
  socket.on('data', (chunk: Buffer) => (client.received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    client.closedAfter = Date.now() - client.openedAt;
    done();
  });
  return client;
}

/** Connections that never send a byte. */
export function idleClients(port: number, count: number): RawClient[] {
  return Array.from({ length: count }, () => openRaw(port));
}

/**
 * Slowloris: a request head that never ends, one more header line every `everyMs`, each
 * connection's drip stopped when it closes.
 */
export function slowlorisClients(port: number, count: number, everyMs: number): RawClient[] {
  return Array.from({ length: count }, () =>
    openRaw(port, (client) => {
      client.socket.write('GET /api/slow HTTP/1.1\r\nHost: edge.test\r\n');
      const drip = setInterval(() => client.socket.writable && client.socket.write(`X-Drip-${Date.now()}: 1\r\n`), everyMs);
      void client.closed.then(() => clearInterval(drip));
    }),
  );
}

/** Resolves once every client is closed, or rejects naming how many are still open after `timeoutMs`. */
export async function allClosed(clients: readonly RawClient[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${clients.filter((c) => c.closedAfter === null).length} connections still open after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all(clients.map((c) => c.closed)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Until each client is connected (held by the server) or closed (refused). */
export async function settled(clients: readonly RawClient[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && clients.some((c) => !c.connected && c.closedAfter === null)) await new Promise((r) => setTimeout(r, 50));
}

export function destroyAll(clients: readonly RawClient[]): void {
  for (const c of clients) c.socket.destroy();
}

import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { BatchSender } from '../log-queue';

export interface TcpTarget {
  readonly host: string;
  readonly port: number;
  readonly timeout: number;
  readonly keepalive: number;
  readonly tls: boolean;
  readonly tlsSni: string | null;
}

/**
 * Writes each batch as newline-delimited JSON on one kept-alive connection (TLS when asked),
 * reconnecting after a failure; a batch counts as sent once the socket has taken it.
 */
export function tcpSender(target: TcpTarget): BatchSender {
  let socket: Socket | null = null;
  let ready: Promise<Socket> | null = null;
  const drop = (s: Socket) => {
    if (socket === s) {
      socket = null;
      ready = null;
    }
    s.destroy();
  };
  const connect = (): Promise<Socket> =>
    (ready ??= new Promise<Socket>((resolve, reject) => {
      const s = target.tls
        ? tlsConnect({ host: target.host, port: target.port, servername: target.tlsSni ?? undefined, rejectUnauthorized: false })
        : tcpConnect({ host: target.host, port: target.port });
      socket = s;
      const fail = (error: Error) => {
        drop(s);
        reject(error);
      };
      s.setTimeout(target.timeout, () => fail(new Error(`tcp-log: ${target.host}:${target.port} timed out`)));
      s.once('error', fail);
      s.once(target.tls ? 'secureConnect' : 'connect', () => {
        s.off('error', fail);
        s.on('error', () => drop(s));
        s.on('close', () => drop(s));
        // Idle for `keepalive` ms: close it; the next batch reconnects.
        s.setTimeout(target.keepalive, () => drop(s));
        resolve(s);
      });
    }));
  return {
    async send(entries) {
      const s = await connect();
      await new Promise<void>((resolve, reject) => {
        s.write(`${entries.join('\n')}\n`, (error) => {
          if (error) {
            drop(s);
            reject(error);
          } else resolve();
        });
      });
    },
    close() {
      if (socket !== null) drop(socket);
    },
  };
}

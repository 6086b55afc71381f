import type { PluginServices } from '@tollgate/plugins';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { ConfigHolder } from '../config/runtime-config';
import type { ServiceTarget } from '../config/service-targets';
import { runAccessPhase } from '../pipeline/plugin-pipeline';
import { GATEWAY_ERRORS, rawErrorResponse, type GatewayError } from './gateway-errors';
import { DEFAULT_HEADER_POLICY, type HeaderPolicy } from './header-policy';
import { routeRequest } from './proxy-handler';
import { RequestContext } from './request-context';
import { upstreamRequestHeaders } from './upstream-headers';

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 404: 'Not Found', 426: 'Upgrade Required', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
const RAW_ERRORS = new Map<GatewayError, Buffer>(
  Object.values(GATEWAY_ERRORS).map((e) => [e, rawErrorResponse(e, REASONS[e.status] ?? 'Error')]),
);

/** A response head from raw header pairs, for relaying an upstream's answer onto a bare socket. */
function responseHead(res: IncomingMessage): string {
  let head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
  for (let i = 0; i < res.rawHeaders.length; i += 2) head += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
  return head + '\r\n';
}

/**
 * WebSocket (and any HTTP/1.1 Upgrade) pass-through: routed and authenticated like any request,
 * then the upstream's 101 is relayed and the two sockets are piped together. Upgrades are rare
 * and long-lived, so this path favours plainness (node:http) over the pooled hot path.
 */
export class WebSocketProxy {
  private readonly tunnels = new Set<Duplex>();

  constructor(
    private readonly configs: ConfigHolder,
    private readonly services: PluginServices,
    private readonly headerPolicy: HeaderPolicy = DEFAULT_HEADER_POLICY,
  ) {}

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, https: boolean): void {
    socket.on('error', () => socket.destroy());
    const config = this.configs.current;
    if (config === null) return this.refuse(socket, GATEWAY_ERRORS.GW_ERR_NOT_READY);
    const ctx = new RequestContext(req, config, this.services, https, performance.now(), this.headerPolicy);
    const refused = routeRequest(ctx);
    if (refused !== null) return this.refuse(socket, refused);
    Promise.resolve(runAccessPhase(ctx, ctx.plan!.chain.access)).then(
      () => this.connect(ctx, socket, head),
      () => this.refuse(socket, GATEWAY_ERRORS.GW_ERR_INTERNAL),
    );
  }

  private refuse(socket: Duplex, error: GatewayError): void {
    if (socket.writable) socket.end(RAW_ERRORS.get(error));
    socket.destroy();
  }

  private connect(ctx: RequestContext, socket: Duplex, head: Buffer): void {
    if (ctx.exitResponse !== null) {
      const { status, body, contentType, headers } = ctx.exitResponse;
      const extra = [...headers, ...(ctx.responseHeaders ?? [])];
      let text = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n`;
      for (let i = 0; i < extra.length; i += 2) text += `${extra[i]}: ${extra[i + 1]}\r\n`;
      socket.end(Buffer.concat([Buffer.from(`${text}Connection: close\r\n\r\n`, 'latin1'), body]));
      return;
    }
    const target = ctx.plan!.target;
    if (target === null) return this.refuse(socket, GATEWAY_ERRORS.GW_ERR_NO_SERVICE);
    const address = this.address(ctx, target);
    if (address === null) return this.refuse(socket, GATEWAY_ERRORS.GW_ERR_NO_HEALTHY_TARGET);
    const headers = upstreamRequestHeaders(ctx, ctx.route!.preserve_host && ctx.host !== '' ? ctx.host : target.hostHeader);
    if (headers === null) return this.refuse(socket, GATEWAY_ERRORS.GW_ERR_BAD_REQUEST);
    headers.push('Connection', 'Upgrade', 'Upgrade', ctx.header('upgrade') ?? 'websocket');
    const query = ctx.upstreamQuery ?? ctx.rawQuery;
    const upstream = (target.scheme === 'https' ? httpsRequest : httpRequest)({
      host: address.host,
      port: address.port,
      method: ctx.method,
      path: query === '' ? ctx.match!.upstreamPath : `${ctx.match!.upstreamPath}?${query}`,
      headers,
      agent: false,
      timeout: target.connectTimeout,
      rejectUnauthorized: target.service.tls_verify === true,
    });
    this.relay(upstream, socket, head);
    upstream.end();
  }

  private address(ctx: RequestContext, target: ServiceTarget): { host: string; port: number } | null {
    if (target.balancer === null) return { host: target.service.host, port: target.service.port };
    return target.balancer.pick(ctx);
  }

  private relay(upstream: ClientRequest, socket: Duplex, head: Buffer): void {
    upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })));
    upstream.on('error', (error: Error & { code?: string }) =>
      this.refuse(socket, error.code === 'ETIMEDOUT' ? GATEWAY_ERRORS.GW_ERR_UPSTREAM_TIMEOUT : GATEWAY_ERRORS.GW_ERR_BAD_GATEWAY),
    );
    // The upstream declined to switch protocols: relay its answer as it is and close.
    upstream.on('response', (res: IncomingMessage) => {
      socket.write(responseHead(res));
      res.pipe(socket);
    });
    upstream.on('upgrade', (res: IncomingMessage, upstreamSocket: Socket, upstreamHead: Buffer) => {
      // The connect deadline is over; a tunnel may idle as long as both ends keep it open.
      upstream.setTimeout(0);
      socket.write(responseHead(res));
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      this.tunnel(socket, upstreamSocket);
    });
  }

  private tunnel(client: Duplex, upstream: Socket): void {
    this.tunnels.add(client);
    const close = () => {
      this.tunnels.delete(client);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', close).on('close', close);
    client.on('close', close);
    upstream.pipe(client);
    client.pipe(upstream);
  }

  /** Closes every open tunnel (at shutdown, once plain requests have drained). */
  closeAll(): void {
    for (const client of this.tunnels) client.destroy();
    this.tunnels.clear();
  }

  get open(): number {
    return this.tunnels.size;
  }
}

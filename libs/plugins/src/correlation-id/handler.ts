import { randomUUID } from 'node:crypto';
import type { PluginContext, PluginHandler } from '../plugin-handler';
import { correlationIdSchema } from './schema';

export type CorrelationIdGenerator = 'uuid' | 'uuid#counter' | 'tracker';

export interface CorrelationIdConfig {
  readonly header_name: string;
  readonly generator: CorrelationIdGenerator;
  readonly echo_downstream: boolean;
}

export interface PreparedCorrelationId {
  readonly headerName: string;
  readonly lowerName: string;
  readonly generate: (ctx: PluginContext) => string;
  readonly echo: boolean;
}

/** One uuid per process, then a counter: Kong's per-worker `uuid#counter`. */
const processUuid = randomUUID();
let counter = 0;

/** Kong's tracker: server address and port, process id, connection serial and request count, time. */
function tracker(ctx: PluginContext): string {
  const c = ctx.connection();
  return `${c.localAddress}-${c.localPort}-${process.pid}-${c.serial}-${c.requests}-${(Date.now() / 1000).toFixed(3)}`;
}

const GENERATORS: Readonly<Record<CorrelationIdGenerator, (ctx: PluginContext) => string>> = {
  uuid: () => randomUUID(),
  'uuid#counter': () => `${processUuid}#${++counter}`,
  tracker,
};

function prepare(config: CorrelationIdConfig): PreparedCorrelationId {
  return Object.freeze({
    headerName: config.header_name,
    lowerName: config.header_name.toLowerCase(),
    generate: GENERATORS[config.generator],
    echo: config.echo_downstream,
  });
}

export const correlationIdHandler: PluginHandler<CorrelationIdConfig, PreparedCorrelationId> = {
  name: correlationIdSchema.name,
  version: correlationIdSchema.version,
  priority: correlationIdSchema.priority,
  prepare,
  access(ctx, conf) {
    // An id the client (or an earlier gateway) sent is kept as it is.
    const given = ctx.header(conf.lowerName);
    if (given === undefined || given === '') ctx.setUpstreamHeader(conf.headerName, conf.generate(ctx));
  },
  response(ctx, conf) {
    if (!conf.echo) return;
    // The id sent upstream (the client's or the one made in access): no per-request state needed.
    const id = ctx.upstreamHeader(conf.lowerName);
    ctx.setResponseHeader(conf.headerName, id === undefined || id === '' ? conf.generate(ctx) : id);
  },
};

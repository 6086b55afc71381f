import { jsonResponse, type AnyPluginHandler, type PluginContext } from '@tollgate/plugins';
import type { PluginSlot } from '../config/plugin-chains';
import type { PreparedPlugin } from '../config/prepared-plugins';
import type { RequestContext } from '../proxy/request-context';
import { runAccessPhase, runLogPhase, runRewritePhase } from './plugin-pipeline';

const DENIED = jsonResponse(403, 'denied');

/** Only what the runner reads of a request: its scheme, consumer instances and exit. */
function context(): RequestContext & { ran: string[] } {
  return { scheme: 'http', consumerPlugins: undefined, exitResponse: null, ran: [] } as unknown as RequestContext & { ran: string[] };
}

function slot(name: string, access: (ctx: PluginContext & { ran: string[] }) => void | Promise<void>, http = true): PluginSlot {
  const handler: AnyPluginHandler = { name, version: '1', priority: 0, access: access as AnyPluginHandler['access'], log: access as AnyPluginHandler['log'] };
  const base = { plugin: { name } as PreparedPlugin['plugin'], handler, config: {}, http, https: true };
  return { name, handler, base, baseRank: 1, consumerKeys: null };
}

describe('plugin pipeline', () => {
  it('runs synchronous plugins in order without a promise', () => {
    const ctx = context();
    const result = runAccessPhase(ctx, [slot('a', (c) => void c.ran.push('a')), slot('b', (c) => void c.ran.push('b'))]);
    expect(result).toBeUndefined();
    expect(ctx.ran).toEqual(['a', 'b']);
  });

  it('waits for a plugin that returns a promise, then continues the chain', async () => {
    const ctx = context();
    const slots = [
      slot('a', async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        c.ran.push('a');
      }),
      slot('b', (c) => void c.ran.push('b')),
    ];
    const pending = runAccessPhase(ctx, slots);
    expect(ctx.ran).toEqual([]);
    await pending;
    expect(ctx.ran).toEqual(['a', 'b']);
  });

  it('stops at the first plugin that answers the request', async () => {
    const ctx = context();
    const slots = [slot('a', (c) => c.exit(DENIED)), slot('b', (c) => void c.ran.push('b'))];
    (ctx as unknown as { exit(r: unknown): void }).exit = (r) => ((ctx as { exitResponse: unknown }).exitResponse = r);
    expect(runAccessPhase(ctx, slots)).toBeUndefined();
    expect(ctx.exitResponse).toBe(DENIED);
    expect(ctx.ran).toEqual([]);
  });

  it("skips an instance whose protocols exclude the request's", () => {
    const ctx = context();
    runAccessPhase(ctx, [slot('https-only', (c) => void c.ran.push('x'), false)]);
    expect(ctx.ran).toEqual([]);
  });

  it('runs the global rewrite phase with the same rules', async () => {
    const ctx = context();
    const rewrite = slot('r', async (c) => void c.ran.push('r')).base!;
    const plugin = { ...rewrite, handler: { ...rewrite.handler, rewrite: rewrite.handler.access } };
    await runRewritePhase(ctx, [plugin]);
    expect(ctx.ran).toEqual(['r']);
  });

  it('keeps running log handlers after one throws', () => {
    const ctx = context();
    const failures: string[] = [];
    const slots = [
      slot('a', () => {
        throw new Error('boom');
      }),
      slot('b', (c) => void c.ran.push('b')),
    ];
    runLogPhase(ctx, slots, (_error, s) => failures.push(s.name));
    expect(failures).toEqual(['a']);
    expect(ctx.ran).toEqual(['b']);
  });
});

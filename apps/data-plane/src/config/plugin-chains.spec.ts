import type { Plugin } from '@tollgate/config';
import { consumer, plugin, route, service } from '../../test/support/config-fixtures';
import { PluginChainBuilder, pluginFor, type PluginChain } from './plugin-chains';
import { preparePlugins } from './prepared-plugins';

const svc = service({ host: 'a', port: 80 });
const otherSvc = service({ host: 'b', port: 80 });
const r1 = route(svc);
const r2 = route(svc);
const alice = consumer('alice');
const limit = (hour: number) => ({ hour });

function build(plugins: Plugin[]) {
  const prepared = preparePlugins(plugins);
  expect(prepared.errors).toEqual([]);
  return new PluginChainBuilder(prepared.byId.values());
}

/** The instance of `name` that runs on `chain`, with or without the consumer's instances. */
function winner(builder: PluginChainBuilder, chain: PluginChain, name: string, consumerId?: string): string | null {
  const slot = chain.access.find((s) => s.name === name);
  if (!slot) return null;
  return pluginFor(slot, consumerId ? builder.consumerPlugins.get(consumerId) : undefined)?.plugin.id ?? null;
}

describe('plugin chains', () => {
  it("resolves Kong's precedence, most specific scope first", () => {
    const global = plugin('rate-limiting', limit(1));
    const onService = plugin('rate-limiting', limit(2), { service: svc });
    const onRoute = plugin('rate-limiting', limit(3), { route: r1 });
    const onConsumer = plugin('rate-limiting', limit(4), { consumer: alice });
    const onRouteService = plugin('rate-limiting', limit(5), { route: r1, service: svc });
    const onServiceConsumer = plugin('rate-limiting', limit(6), { service: svc, consumer: alice });
    const onRouteConsumer = plugin('rate-limiting', limit(7), { route: r1, consumer: alice });
    const onAll = plugin('rate-limiting', limit(8), { route: r1, service: svc, consumer: alice });
    const order = [onAll, onRouteConsumer, onServiceConsumer, onRouteService, onConsumer, onRoute, onService, global];
    // Drop the most specific instance one at a time: the next one in Kong's order takes over.
    for (let i = 0; i < order.length; i++) {
      const builder = build(order.slice(i));
      expect(winner(builder, builder.chainFor(r1), 'rate-limiting', alice.id)).toBe(order[i]!.id);
    }
  });

  it('uses the best non-consumer instance until a consumer is known', () => {
    const onRoute = plugin('rate-limiting', limit(3), { route: r1 });
    const onConsumer = plugin('rate-limiting', limit(4), { consumer: alice });
    const builder = build([onRoute, onConsumer]);
    const chain = builder.chainFor(r1);
    expect(winner(builder, chain, 'rate-limiting')).toBe(onRoute.id);
    expect(winner(builder, chain, 'rate-limiting', alice.id)).toBe(onConsumer.id);
    expect(winner(builder, chain, 'rate-limiting', 'someone-else')).toBe(onRoute.id);
  });

  it('runs a consumer-only plugin only for that consumer', () => {
    const onConsumer = plugin('rate-limiting', limit(4), { consumer: alice });
    const builder = build([onConsumer]);
    const chain = builder.chainFor(r2);
    expect(winner(builder, chain, 'rate-limiting')).toBeNull();
    expect(winner(builder, chain, 'rate-limiting', alice.id)).toBe(onConsumer.id);
  });

  it('ignores a Route+Service instance whose service is not the route service', () => {
    const mismatched = plugin('rate-limiting', limit(5), { route: r1, service: otherSvc });
    const builder = build([mismatched]);
    expect(builder.chainFor(r1).access).toHaveLength(0);
  });

  it('orders by priority, and lets routes without plugins of their own share their service chain', () => {
    const builder = build([plugin('rate-limiting', limit(1)), plugin('key-auth', {}, { service: svc })]);
    const chain = builder.chainFor(r2);
    expect(chain.access.map((s) => s.name)).toEqual(['key-auth', 'rate-limiting']);
    expect(builder.chainFor(route(svc))).toBe(chain);
  });
});

/** The traffic plugins, one observable effect each, as both delivery tests configure them. */
import { send } from './test-data-plane';

export const TRAFFIC_PLUGINS = (port: number) => [
  { name: 'cors', config: { origins: ['http://app.test'], credentials: true } },
  { name: 'correlation-id', config: { echo_downstream: true, generator: 'uuid' } },
  { name: 'request-size-limiting', config: { allowed_payload_size: 10, size_unit: 'bytes' } },
  { name: 'request-transformer', config: { add: { headers: ['x-added:yes'] } } },
  { name: 'response-transformer', config: { remove: { json: ['secret'] }, add: { headers: [`x-port:${port}`] } } },
  { name: 'response-ratelimiting', config: { limits: { units: { hour: 1 } } } },
];

/** What a data plane serving the config above answers. */
export async function expectEveryPluginRuns(proxyUrl: string, port: number): Promise<void> {
  const res = await send(`${proxyUrl}/api/use`, { headers: { origin: 'http://app.test' } });
  expect(res.status).toBe(200);
  expect(res.headers['access-control-allow-origin']).toBe('http://app.test');
  expect(res.headers['kong-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers['x-port']).toBe(String(port));
  expect(res.headers['x-ratelimit-remaining-units-hour']).toBe('0');
  const body = JSON.parse(res.body);
  expect(body).toEqual({ seen: expect.objectContaining({ 'x-added': 'yes' }) });
  expect((await send(`${proxyUrl}/api/use`, { method: 'POST', body: 'more than ten bytes' })).status).toBe(413);
  expect((await send(`${proxyUrl}/api/use`)).status).toBe(429);
}

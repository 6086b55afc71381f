import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminApiClient, AdminApiError } from './admin-api-client';
import { CliError } from './command-runner';

/** A stand-in admin API answering each path with a fixed status and body. */
async function fakeAdmin(routes: Record<string, [number, string]>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const [status, body] = routes[`${req.method} ${req.url}`] ?? [404, '{"message":"Not found"}'];
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('AdminApiClient', () => {
  let fake: { url: string; server: Server };

  beforeAll(async () => {
    fake = await fakeAdmin({
      'PUT /routes/r1': [400, JSON.stringify({ code: 2, name: 'schema violation', message: 'schema violation (paths: expected an array)', fields: { paths: 'expected an array' } })],
      'DELETE /services/s1': [502, '<html>Bad Gateway</html>'],
      'GET /config': [200, JSON.stringify({ _format_version: '3.0', services: [{ id: 's1' }] })],
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => fake.server.close(resolve));
  });

  it("puts the admin API's Kong error body in the message", async () => {
    const error = await new AdminApiClient(fake.url).put('/routes/r1', { id: 'r1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as AdminApiError).status).toBe(400);
    expect((error as Error).message).toBe(
      'PUT /routes/r1 failed: 400 schema violation (code 2): schema violation (paths: expected an array)\n  fields: {"paths":"expected an array"}',
    );
  });

  it('shows a body that is not Kong-shaped as it came', async () => {
    await expect(new AdminApiClient(fake.url).delete('/services/s1')).rejects.toThrow('DELETE /services/s1 failed: 502: <html>Bad Gateway</html>');
  });

  it('reads the export into every collection, missing ones empty', async () => {
    const entities = await new AdminApiClient(`${fake.url}/`).exportConfig();
    expect(entities.services).toEqual([{ id: 's1' }]);
    expect(entities.acls).toEqual([]);
  });

  it('refuses a server that does not serve a declarative export', async () => {
    const other = await fakeAdmin({ 'GET /config': [200, '{"hello":"world"}'] });
    try {
      await expect(new AdminApiClient(other.url).exportConfig()).rejects.toThrow(/did not return a declarative export: is .* a Tollgate admin API\?/);
    } finally {
      await new Promise((resolve) => other.server.close(resolve));
    }
  });

  it('refuses a URL that is not http or https', () => {
    expect(() => new AdminApiClient('ftp://example.com')).toThrow(CliError);
    expect(() => new AdminApiClient('not a url')).toThrow("invalid admin API URL 'not a url'");
  });
});

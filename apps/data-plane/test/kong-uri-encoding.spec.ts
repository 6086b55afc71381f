import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

/** Cases translated from Kong's spec/02-integration/05-proxy/08-uri_encoding_spec.lua; each `it` names the Kong case. */
describe('spec/02-integration/05-proxy/08-uri_encoding_spec.lua', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const routes = [
      route(svc, { hosts: ['mock_upstream'] }),
      route(svc, { protocols: ['http'], paths: ['/request'], strip_path: false }),
      route(svc, { protocols: ['http'], paths: ['/stripped-path'], strip_path: true }),
    ];
    expect(await dp.applySnapshot(snapshot({ services: [svc], routes }))).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const upstreamUrl = async (path: string, host?: string): Promise<string> => {
    const reply = await send(`${dp.proxyUrl}${path}`, { headers: host === undefined ? {} : { host } });
    expect(reply.status).toBe(200);
    return json<Echo>(reply).url;
  };

  it('issue #1975 does not double percent-encode proxied args', async () => {
    const query = 'limit=25&where=%7B%22or%22:%5B%7B%22name%22:%7B%22like%22:%22%25bac%25%22%7D%7D%5D%7D';
    const url = new URL(await upstreamUrl(`/get?${query}`, 'mock_upstream'), 'http://x');
    expect(url.searchParams.get('limit')).toBe('25');
    expect(url.searchParams.get('where')).toBe('{"or":[{"name":{"like":"%bac%"}}]}');
  });

  it('issue #1480 does not percent-encode args unnecessarily', async () => {
    expect(await upstreamUrl('/request?param=1.2.3', 'mock_upstream')).toBe('/request?param=1.2.3');
  });

  it('issue #749 does not decode percent-encoded args', async () => {
    expect(await upstreamUrl('/request?param=abc%7Cdef', 'mock_upstream')).toBe('/request?param=abc%7Cdef');
  });

  it('issue #688 does not percent-decode proxied URLs', async () => {
    expect(await upstreamUrl('/request/foo%2Fbar', 'mock_upstream')).toBe('/request/foo%2Fbar');
  });

  it('issue #2512 does not double percent-encode upstream URLs', async () => {
    expect(await upstreamUrl('/request/auth%2F123', 'mock_upstream')).toBe('/request/auth%2F123');
    expect(await upstreamUrl('/request/auth%2F123')).toBe('/request/auth%2F123');
    expect(await upstreamUrl('/stripped-path/request/auth%2F123')).toBe('/request/auth%2F123');
  });

  // kong/tools/uri.lua: `normalize` decodes all but reserved characters before routing, and the
  // runloop `escape`s upstream_uri again (upper-case hex); reserved escapes are upper-cased.
  it('sends decoded characters back encoded, and reserved escapes upper-cased', async () => {
    expect(await upstreamUrl('/request/a%20b%7c%c3%a9')).toBe('/request/a%20b%7C%C3%A9');
    expect(await upstreamUrl('/request/foo%2fbar')).toBe('/request/foo%2Fbar');
    expect(await upstreamUrl('/stripped-path/%72equest')).toBe('/request');
  });
});

/**
 * Kong's spec/03-plugins/15-response-transformer/04-filter_spec.lua, 01-header_transformer_spec.lua
 * and 02-body_transformer_spec.lua, translated onto a real data plane and upstream.
 */
import { gzipSync } from 'node:zlib';
import type { RunningDataPlane } from '../src/data-plane';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { answer, startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream';
import { send, startTestDataPlane } from './support/test-data-plane';

const BODY = JSON.stringify({ url: 'http://x/get', headers: { a: 1 }, uri_args: {}, ip: '127.0.0.1', p1: 'v1', flag: false, list: ['a'] });

describe('response-transformer', () => {
  let upstream: ScriptedUpstream;
  let dp: RunningDataPlane;
  const get = (host: string, path = '/json') => send(`${dp.proxyUrl}${path}`, { headers: { host } });

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    const headers = { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'X-Old': 'old', 'X-Rep': 'before', 'X-Multi': 'one' };
    upstream.script('/json', answer(200, headers, BODY));
    upstream.script('/text', answer(200, { 'Content-Type': 'text/plain' }, BODY));
    upstream.script('/vnd', answer(200, { 'Content-Type': 'application/vnd.api+json; charset=utf-8' }, BODY));
    upstream.script('/bad', answer(200, { 'Content-Type': 'application/json' }, '{not json'));
    upstream.script('/gzip', (_seen, res) => {
      const zipped = gzipSync(BODY);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': zipped.length });
      res.end(zipped);
    });
    upstream.script('/chunked', (_seen, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(BODY.slice(0, 10));
      setTimeout(() => res.end(BODY.slice(10)), 10);
    });
    upstream.script('/big', (_seen, res) => {
      // Past the 16 MiB the gateway buffers for a plugin: it must stream on, untouched and whole.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const piece = Buffer.alloc(1024 * 1024, 0x20);
      let left = 17;
      const pump = () => {
        while (left-- > 0) if (!res.write(piece)) return void res.once('drain', pump);
        res.end('{}');
      };
      pump();
    });
    dp = await startTestDataPlane();
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const configs: Record<string, Record<string, unknown>> = {
      remove: { remove: { headers: ['Access-Control-Allow-Origin'], json: ['url'] } },
      replace: { replace: { json: ['headers:/hello/world', 'uri_args:this is a / test', 'url:"wot"', 'p1:2', 'missing:x'], json_types: ['string', 'string', 'string', 'number'] } },
      add: { add: { json: ['ip:1.2.3.4', 'flag:true', 'new:true', 'n:42'], json_types: ['string', 'string', 'boolean', 'number'], headers: ['X-Added:yes', 'X-Old:ignored'] } },
      append: { append: { json: ['p1:v2', 'list:b', 'fresh:c'], headers: ['X-Multi:two'] } },
      rename: { rename: { headers: ['X-Old:X-New'], json: ['p1:p2'] }, replace: { headers: ['X-Rep:after', 'X-Absent:no'] } },
      headers: { add: { headers: ['X-Only:header'] } },
    };
    const routes = Object.fromEntries(Object.keys(configs).map((name) => [name, route(svc, { hosts: [`${name}.test`], strip_path: false })]));
    const result = await dp.applySnapshot(
      snapshot({
        services: [svc],
        routes: Object.values(routes),
        plugins: Object.entries(configs).map(([name, config]) => plugin('response-transformer', config, { route: routes[name] })),
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  // 04-filter_spec: it("remove a parameter") / it("remove a header")
  it('removes a JSON member and a header, with the right Content-Length', async () => {
    const res = await get('remove.test');
    const body = JSON.parse(res.body);
    expect(body.url).toBeUndefined();
    expect(body.ip).toBe('127.0.0.1');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
  });

  // 04-filter_spec: it("replace a body parameter on GET"); 02-body_transformer_spec "replace ... json_types"
  it('replaces present members only, casting by json_types', async () => {
    const body = JSON.parse((await get('replace.test')).body);
    expect(body).toMatchObject({ headers: '/hello/world', uri_args: 'this is a / test', url: '"wot"', p1: 2 });
    expect(body.missing).toBeUndefined();
  });

  // 02-body_transformer_spec: "add parameters" with json_types; 01-header_transformer_spec "add a header if not present"
  it('adds absent members (a false member counts as absent) and absent headers', async () => {
    const res = await get('add.test');
    expect(JSON.parse(res.body)).toMatchObject({ ip: '127.0.0.1', flag: 'true', new: true, n: 42 });
    expect(res.headers['x-added']).toBe('yes');
    expect(res.headers['x-old']).toBe('old');
  });

  // 02-body_transformer_spec: "append new values to existing parameters"; 01-header_transformer_spec "append"
  it('appends to members and headers', async () => {
    const res = await get('append.test');
    expect(JSON.parse(res.body)).toMatchObject({ p1: ['v1', 'v2'], list: ['a', 'b'], fresh: ['c'] });
    expect(res.headers['x-multi']).toBe('one, two');
  });

  // 01-header_transformer_spec: "rename" and "replace only if present"
  it('renames and replaces headers and renames members', async () => {
    const res = await get('rename.test');
    expect(res.headers['x-new']).toBe('old');
    expect(res.headers['x-old']).toBeUndefined();
    expect(res.headers['x-rep']).toBe('after');
    expect(res.headers['x-absent']).toBeUndefined();
    expect(JSON.parse(res.body)).toMatchObject({ p2: 'v1' });
  });

  it('edits a +json media type and a chunked upstream body', async () => {
    expect(JSON.parse((await get('remove.test', '/vnd')).body).url).toBeUndefined();
    const chunked = await get('remove.test', '/chunked');
    expect(JSON.parse(chunked.body).url).toBeUndefined();
    expect(chunked.headers['content-length']).toBe(String(Buffer.byteLength(chunked.body)));
  });

  // 02-body_transformer_spec: "does not transform a non-JSON body" / "returns the body as is when it is not valid JSON"
  it('leaves non-JSON, malformed and compressed bodies as they came', async () => {
    expect((await get('remove.test', '/text')).body).toBe(BODY);
    expect((await get('remove.test', '/bad')).body).toBe('{not json');
    const zipped = await send(`${dp.proxyUrl}/gzip`, { headers: { host: 'remove.test' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('streams the body untouched when only headers are edited', async () => {
    const res = await get('headers.test', '/chunked');
    expect(res.body).toBe(BODY);
    expect(res.headers['x-only']).toBe('header');
    expect(res.headers['transfer-encoding']).toBe('chunked');
  });

  // 05-big_response_body_spec: a body too big to hold is passed on as it came
  it('streams a body past the buffering bound on untouched', async () => {
    const res = await get('remove.test', '/big');
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(res.body)).toBe(17 * 1024 * 1024 + 2);
  });
});

/** Kong's spec/03-plugins/12-request-size-limiting/01-access_spec.lua, translated. */
import { request } from 'node:http';
import type { RunningDataPlane } from '../src/data-plane';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane, type Reply } from './support/test-data-plane';

const TEST_SIZE = 2;
const MB = 1024 * 1024;
const UNITS = { bytes: 1, kilobytes: 1024, megabytes: MB } as const;

/** A chunked request (no Content-Length): the body goes out in 64 KiB writes. */
function sendChunked(url: string, bytes: number, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    // The gateway may cut the request once it has seen too much: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    let left = bytes;
    const piece = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (left > 0) {
        const size = Math.min(left, piece.length);
        left -= size;
        if (!req.write(piece.subarray(0, size))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('request-size-limiting', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const url = (path: string) => `${dp.proxyUrl}${path}`;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const limited = route(echo, { paths: ['/limit'] });
    const required = route(echo, { paths: ['/required'] });
    const units = Object.keys(UNITS).map((unit) => [unit, route(echo, { paths: [`/${unit}`] })] as const);
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: [limited, required, ...units.map(([, r]) => r)],
        plugins: [
          plugin('request-size-limiting', { allowed_payload_size: TEST_SIZE }, { route: limited }),
          plugin('request-size-limiting', { allowed_payload_size: TEST_SIZE, require_content_length: true }, { route: required }),
          ...units.map(([unit, r]) => plugin('request-size-limiting', { allowed_payload_size: TEST_SIZE, size_unit: unit }, { route: r })),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  describe('with Content-Length', () => {
    // it("works if size is lower than limit")
    it('passes a body under the limit', async () => {
      const res = await send(url('/limit'), { method: 'POST', body: 'a'.repeat(TEST_SIZE * MB) });
      expect(res.status).toBe(200);
      expect(json<Echo>(res).bodyBytes).toBe(TEST_SIZE * MB);
    });

    // it("blocks if size is greater than limit")
    it('answers 413 before reading a body over the limit', async () => {
      const res = await send(url('/limit'), { method: 'POST', body: 'a'.repeat(TEST_SIZE * MB + 1) });
      expect(res.status).toBe(413);
      expect(json(res)).toEqual({ message: 'Request size limit exceeded' });
    });

    // it("blocks if size is greater than limit and Expect header")
    it('answers 417 to a client waiting on Expect: 100-continue', async () => {
      const res = await send(url('/limit'), { method: 'POST', headers: { expect: '100-continue' }, body: 'a'.repeat(TEST_SIZE * MB + 1) });
      expect(res.status).toBe(417);
      expect(json(res)).toEqual({ message: 'Request size limit exceeded' });
    });

    // it("blocks if size is greater than limit when unit in <unit>") / it("works if size is less than limit when unit in <unit>")
    it.each(Object.entries(UNITS))('counts allowed_payload_size in %s', async (unit, factor) => {
      expect((await send(url(`/${unit}`), { method: 'POST', body: 'a'.repeat(TEST_SIZE * factor) })).status).toBe(200);
      expect((await send(url(`/${unit}`), { method: 'POST', body: 'a'.repeat(TEST_SIZE * factor + 1) })).status).toBe(413);
    });
  });

  describe('without Content-Length (chunked request body)', () => {
    // it("works if size is lower than limit")
    it('streams a chunked body under the limit to the upstream', async () => {
      const res = await sendChunked(url('/limit'), TEST_SIZE * MB);
      expect(res.status).toBe(200);
      expect(json<Echo>(res).bodyBytes).toBe(TEST_SIZE * MB);
    });

    // it("blocks if size is greater than limit")
    it('answers 413 once a chunked body passes the limit, and the upstream never gets the whole body', async () => {
      const res = await sendChunked(url('/limit/big'), TEST_SIZE * MB + 64 * 1024);
      expect(res.status).toBe(413);
      expect(json(res)).toEqual({ message: 'Request size limit exceeded' });
      expect(upstream.progress.get('/big') ?? 0).toBeLessThanOrEqual(TEST_SIZE * MB);
    });

    // it("blocks if size is greater than limit when unit in <unit>")
    it('counts chunked bodies in the configured unit', async () => {
      expect((await sendChunked(url('/kilobytes'), TEST_SIZE * 1024)).status).toBe(200);
      expect((await sendChunked(url('/kilobytes'), TEST_SIZE * 1024 + 1)).status).toBe(413);
    });
  });

  describe('Content-Length header required', () => {
    // it("blocks if header is not provided")
    it('answers 411 to a request without Content-Length, but lets a chunked one through', async () => {
      const res = await send(url('/required'));
      expect(res.status).toBe(411);
      expect(json(res)).toEqual({ message: 'A valid Content-Length header is required' });
      expect((await sendChunked(url('/required'), 10)).status).toBe(200);
      expect((await send(url('/required'), { method: 'POST', body: 'abc' })).status).toBe(200);
    });
  });
});

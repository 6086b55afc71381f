import { configVersion, countRows, startTestControlPlane, type TestControlPlane } from './admin-api';

/**
 * Bodies no schema describes: nested past any entity, or not UTF-8. Each is a 400 naming the
 * problem (Kong's shape, code 101), and leaves the database as it was.
 */

const MALFORMED = { code: 101, name: 'malformed body' };

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

describe('admin API: malformed bodies', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('malformed-bodies');
  });

  afterAll(async () => {
    await cp.stop();
  });

  async function send(method: string, path: string, body: Buffer | string | FormData, contentType?: string): Promise<Reply> {
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    const res = await fetch(`${cp.adminUrl}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  /** A 400 malformed body naming the problem, with no config version taken. */
  async function expectRefused(request: () => Promise<Reply>, message: RegExp): Promise<void> {
    const before = await configVersion(cp);
    const reply = await request();
    expect(reply).toEqual({ status: 400, body: { ...MALFORMED, message: expect.stringMatching(message), fields: {} } });
    expect(await configVersion(cp)).toBe(before);
  }

  const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

  describe('nesting depth', () => {
    it('POST /config nested 100,000 deep is a 400, not a 500', async () => {
      const body = `{"_format_version":"3.0","services":${nested(100_000)}}`;
      await expectRefused(() => send('POST', '/config', body, 'application/json'), /nested deeper than 32 levels/);
    });

    it('a plugin config nested 33 deep is refused; 32 deep gets past the parser to the schema', async () => {
      const deep = (depth: number) => `{"name":"cors","config":${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}}`;
      await expectRefused(() => send('POST', '/plugins', deep(33), 'application/json'), /nested deeper than 32 levels \(at character \d+\)/);
      const reply = await send('POST', '/plugins', deep(32), 'application/json');
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe(2); // schema violation: config.a is no cors field
    });

    it('brackets inside strings do not count', async () => {
      const reply = await send('POST', '/consumers', JSON.stringify({ username: '['.repeat(100) }), 'application/json');
      expect(reply.status).toBe(201);
    });

    it('a form key nested deeper than 8 levels is refused instead of kept flat', async () => {
      await expectRefused(() => send('POST', '/plugins', 'name=cors&config.a.b.c.d.e.f.g.h.i.j=1', 'application/x-www-form-urlencoded'), /nest deeper than 8 levels/);
    });
  });

  describe('invalid UTF-8', () => {
    it('a JSON body with a byte that is not UTF-8 is refused, naming the byte and offset', async () => {
      const body = Buffer.concat([Buffer.from('{"username":"bad'), Buffer.of(0xff), Buffer.from('"}')]);
      await expectRefused(() => send('POST', '/consumers', body, 'application/json'), /^JSON body is not valid UTF-8: byte 0xff at offset 16/);
      expect(await countRows(cp, 'consumers', `username LIKE 'bad%'`)).toBe(0);
    });

    it('an overlong encoding and a truncated sequence are refused too', async () => {
      const overlong = Buffer.concat([Buffer.from('{"username":"'), Buffer.of(0xc0, 0xaf), Buffer.from('"}')]);
      await expectRefused(() => send('POST', '/consumers', overlong, 'application/json'), /byte 0xc0 at offset 13/);
      const truncated = Buffer.concat([Buffer.from('{"username":"'), Buffer.of(0xe2, 0x82), Buffer.from('"}')]);
      await expectRefused(() => send('POST', '/consumers', truncated, 'application/json'), /byte 0xe2 at offset 13/);
    });

    it('a JSON \\ud800 escape (half a character) is a schema violation naming the field, not stored as U+FFFD', async () => {
      const reply = await send('POST', '/consumers', '{"username":"x\\ud800y"}', 'application/json');
      expect(reply).toEqual({ status: 400, body: expect.objectContaining({ code: 2, fields: { username: expect.stringMatching(/unpaired surrogates/) } }) });
    });

    it('valid multi-byte UTF-8 and escaped surrogate pairs are stored as sent', async () => {
      const reply = await send('POST', '/consumers', '{"username":"jos\u00e9-\\ud83d\\ude00"}', 'application/json');
      expect(reply.status).toBe(201);
      expect(reply.body.username).toBe('jos\u00e9-\u{1f600}');
      const [row] = await cp.schema.query<{ username: string }>('SELECT username FROM consumers WHERE id = $1', [reply.body.id]);
      expect(row!.username).toBe('jos\u00e9-\u{1f600}');
    });

    it('a form body with a raw byte that is not UTF-8 is refused', async () => {
      const body = Buffer.concat([Buffer.from('username=raw'), Buffer.of(0xfe)]);
      await expectRefused(() => send('POST', '/consumers', body, 'application/x-www-form-urlencoded'), /^form body is not valid UTF-8: byte 0xfe at offset 12/);
    });

    it('a form value percent-encoding bytes that are not UTF-8 is refused; valid escapes and a bare % are kept', async () => {
      await expectRefused(
        () => send('POST', '/consumers', 'username=pct%FF%FE', 'application/x-www-form-urlencoded'),
        /form body: 'pct%FF%FE' is not valid UTF-8 once percent-decoded/,
      );
      const reply = await send('POST', '/consumers', 'username=caf%C3%A9&custom_id=100%', 'application/x-www-form-urlencoded');
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ username: 'caf\u00e9', custom_id: '100%' });
    });

    it('a multipart body with a field that is not UTF-8 is refused; a valid one is stored', async () => {
      const boundary = 'tollgate-boundary';
      const part = (value: Buffer) =>
        Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="username"\r\n\r\n`),
          value,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
      const type = `multipart/form-data; boundary=${boundary}`;
      await expectRefused(() => send('POST', '/consumers', part(Buffer.of(0x61, 0x80, 0x62)), type), /^multipart body is not valid UTF-8: byte 0x80/);
      const reply = await send('POST', '/consumers', part(Buffer.from('multi-\u00fc')), type);
      expect(reply.status).toBe(201);
      expect(reply.body.username).toBe('multi-\u00fc');
    });
  });
});

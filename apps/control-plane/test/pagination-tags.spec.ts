import { KONG, admin, expectKongError, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

interface Page<T> {
  data: T[];
  offset?: string;
  next: string | null;
}

interface Tagged {
  id: string;
  username: string;
  tags: string[] | null;
}

interface TagRow {
  entity_name: string;
  entity_id: string;
  tag: string;
}

describe('admin API: pagination and tags', () => {
  let cp: TestControlPlane;
  const TOTAL = 105;

  beforeAll(async () => {
    cp = await startTestControlPlane('pagination-tags');
    // Tags by residue: every consumer is `all`; i % 3 picks red/green/blue, i % 2 picks even/odd.
    for (let i = 0; i < TOTAL; i++) {
      const tags = ['all', ['red', 'green', 'blue'][i % 3]!, i % 2 === 0 ? 'even' : 'odd'];
      await admin(cp).post('/consumers').send({ username: `user-${String(i).padStart(3, '0')}`, tags }).expect(201);
    }
  });

  afterAll(async () => {
    await cp.stop();
  });

  /** Follows `next` links from `first` until there are none, returning every page. */
  async function walk<T>(first: string): Promise<Page<T>[]> {
    const pages: Page<T>[] = [];
    let path: string | null = first;
    while (path) {
      const res = await admin(cp).get(path);
      expectStatus(res, 200);
      pages.push(res.body);
      path = res.body.next;
      if (pages.length > 200) throw new Error('pagination does not end');
    }
    return pages;
  }

  it('pages 100 by default, with an opaque offset and a next link', async () => {
    const res = await admin(cp).get('/consumers');
    expectStatus(res, 200);
    expect(res.body.data).toHaveLength(100);
    expect(res.body.offset).toEqual(expect.any(String));
    // Kong repeats size in the next link only when the request gave one.
    expect(res.body.next).toBe(`/consumers?offset=${encodeURIComponent(res.body.offset)}`);
  });

  it('following next to the end returns every row exactly once, then next is null and no offset', async () => {
    const pages = await walk<Tagged>('/consumers?size=10');
    expect(pages).toHaveLength(11);
    expect(pages.slice(0, -1).every((p) => p.data.length === 10 && typeof p.offset === 'string')).toBe(true);
    const last = pages.at(-1)!;
    expect(last.data).toHaveLength(5);
    expect(last.next).toBeNull();
    expect(last).not.toHaveProperty('offset');

    const ids = pages.flatMap((p) => p.data.map((c) => c.id));
    expect(new Set(ids).size).toBe(TOTAL);
    const rows = await cp.schema.query<{ id: string }>('SELECT id::text FROM consumers ORDER BY id');
    expect(ids).toEqual(rows.map((r) => r.id));
  });

  it('a page is stable: the same offset gives the same rows', async () => {
    const first = await admin(cp).get('/consumers?size=7').expect(200);
    const a = await admin(cp).get(first.body.next).expect(200);
    const b = await admin(cp).get(first.body.next).expect(200);
    expect(a.body.data).toEqual(b.body.data);
    expect(a.body.data[0].id > first.body.data[6].id).toBe(true);
  });

  it('size=1000 is allowed', async () => {
    const res = await admin(cp).get('/consumers?size=1000');
    expectStatus(res, 200);
    expect(res.body.data).toHaveLength(TOTAL);
    expect(res.body.next).toBeNull();
  });

  it.each(['0', '1001', '-1', 'abc', '2.5', ''])('size=%s is an invalid size (code 9)', async (size) => {
    expectKongError(await admin(cp).get(`/consumers?size=${size}`), KONG.INVALID_SIZE, {}, 'size must be an integer between 1 and 1000');
  });

  it.each([
    ['garbage', 'not-base64-at-all!'],
    ['a non-UUID inside', Buffer.from(JSON.stringify(['nope'])).toString('base64url')],
    ['the wrong shape', Buffer.from(JSON.stringify({ id: 1 })).toString('base64url')],
  ])('an offset that is %s is an invalid offset (code 7)', async (_what, offset) => {
    expectKongError(await admin(cp).get(`/consumers?offset=${encodeURIComponent(offset)}`), KONG.INVALID_OFFSET);
  });

  it('tags=a,b keeps entities with all of the tags', async () => {
    const res = await admin(cp).get('/consumers?tags=red,even&size=1000');
    expectStatus(res, 200);
    const expected = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 3 === 0 && i % 2 === 0);
    expect(res.body.data).toHaveLength(expected.length);
    expect(res.body.data.every((c: Tagged) => c.tags!.includes('red') && c.tags!.includes('even'))).toBe(true);
  });

  it('tags=a/b keeps entities with any of the tags', async () => {
    const res = await admin(cp).get(`/consumers?tags=${encodeURIComponent('red/green')}&size=1000`);
    expectStatus(res, 200);
    const expected = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 3 !== 2);
    expect(res.body.data).toHaveLength(expected.length);
    expect(res.body.data.some((c: Tagged) => c.tags!.includes('blue'))).toBe(false);
  });

  it('the next link keeps the tag filter, so walking it stays filtered', async () => {
    const pages = await walk<Tagged>('/consumers?tags=blue,odd&size=4');
    expect(pages[0]!.next).toContain('tags=blue%2Codd');
    const all = pages.flatMap((p) => p.data);
    const expected = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 3 === 2 && i % 2 === 1);
    expect(all).toHaveLength(expected.length);
    expect(all.every((c) => c.tags!.includes('blue') && c.tags!.includes('odd'))).toBe(true);
  });

  // Kong's invalid_options body (code 11, `options`), as 14-tags_spec.lua expects its message.
  it('refuses a tag filter mixing , and /, and empty tags', async () => {
    const invalid = { code: 11, name: 'invalid options', message: 'invalid option (tags: invalid filter syntax)', options: { tags: 'invalid filter syntax' } };
    expect((await admin(cp).get(`/consumers?tags=${encodeURIComponent('a,b/c')}`).expect(400)).body).toEqual(invalid);
    expect((await admin(cp).get('/consumers?tags=a,,b').expect(400)).body).toEqual(invalid);
  });

  it('refuses tags with commas or slashes on write', async () => {
    expectKongError(await admin(cp).post('/consumers').send({ username: 'bad-tags', tags: ['a,b'] }), KONG.SCHEMA_VIOLATION, {
      tags: ['invalid tag: must be printable, without commas or slashes'],
    });
  });

  it('nested collections page too, with next links on the nested path', async () => {
    await admin(cp).post('/services').send({ name: 'paged', host: 'paged.internal' }).expect(201);
    for (let i = 0; i < 5; i++) await admin(cp).post('/services/paged/routes').send({ paths: [`/p${i}`], tags: ['paged'] }).expect(201);
    const pages = await walk<{ id: string }>('/services/paged/routes?size=2');
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
    expect(pages[0]!.next).toMatch(/^\/services\/paged\/routes\?offset=/);
    expect(new Set(pages.flatMap((p) => p.data.map((r) => r.id))).size).toBe(5);
  });

  describe('/tags', () => {
    beforeAll(async () => {
      await admin(cp).post('/services').send({ name: 'tagged-svc', host: 'tagged.internal', tags: ['shared', 'svc-only'] }).expect(201);
      await admin(cp).post('/services/tagged-svc/routes').send({ paths: ['/tagged'], tags: ['shared'] }).expect(201);
      await admin(cp).post('/upstreams').send({ name: 'tagged.upstream', tags: ['shared'] }).expect(201);
      await admin(cp).post('/plugins').send({ name: 'cors', tags: ['shared', 'plugin-only'] }).expect(201);
      await admin(cp).post('/consumers').send({ username: 'tagged-consumer', tags: ['shared'] }).expect(201);
    });

    it('/tags/{tag} lists every entity with the tag, across entity types', async () => {
      const res = await admin(cp).get('/tags/shared');
      expectStatus(res, 200);
      expect(res.body.data.map((r: TagRow) => r.entity_name).sort()).toEqual(['consumers', 'plugins', 'routes', 'services', 'upstreams']);
      expect(res.body.data.every((r: TagRow) => r.tag === 'shared')).toBe(true);
      const [svc] = await cp.schema.query<{ id: string }>("SELECT id::text FROM services WHERE name = 'tagged-svc'");
      expect(res.body.data).toContainEqual({ entity_name: 'services', entity_id: svc!.id, tag: 'shared' });
      expect((await admin(cp).get('/tags/no-such-tag')).body).toEqual({ data: [], next: null });
    });

    it('/tags/{tag} pages with size and next', async () => {
      const pages = await walk<TagRow>('/tags/shared?size=2');
      expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
      expect(pages[0]!.next).toMatch(/^\/tags\/shared\?offset=/);
      expect(new Set(pages.flatMap((p) => p.data.map((r) => r.entity_id))).size).toBe(5);
    });

    it('/tags lists every (entity, tag) pair once, even when a page ends inside one entity’s tags', async () => {
      const everything = await admin(cp).get('/tags?size=1000');
      expectStatus(everything, 200);
      const expected = everything.body.data.map((r: TagRow) => `${r.entity_id}:${r.tag}`);
      // consumers, the paged routes, then tagged-svc, its route, the upstream, the plugin and tagged-consumer.
      expect(expected).toHaveLength(TOTAL * 3 + 5 + 2 + 1 + 1 + 2 + 1);

      const pages = await walk<TagRow>('/tags?size=2');
      const walked = pages.flatMap((p) => p.data.map((r) => `${r.entity_id}:${r.tag}`));
      expect(walked).toEqual(expected);
    });

    it('/tags takes an offset that carries only an id', async () => {
      const first = await admin(cp).get('/consumers?size=1').expect(200);
      const res = await admin(cp).get(`/tags?offset=${first.body.offset}&size=3`);
      expectStatus(res, 200);
      expect(res.body.data).toHaveLength(3);
      expect(res.body.data.every((r: TagRow) => r.entity_id > first.body.data[0].id)).toBe(true);
    });

    it('/tags refuses an invalid size', async () => {
      expectKongError(await admin(cp).get('/tags/shared?size=0'), KONG.INVALID_SIZE);
    });
  });
});

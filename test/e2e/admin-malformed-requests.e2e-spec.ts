import {
  ENTITIES,
  certificates,
  consumers,
  isPlainObject,
  isUuid,
  keyauthCredentials,
  plugins,
  routes,
  services,
  targets,
  upstreams,
  type EntityDefinition,
  type FieldMap,
  type FieldSchema,
} from '@tollgate/config';
import { availablePlugins, findPluginSchema } from '@tollgate/plugins';
import { startTestControlPlane, type TestControlPlane } from '@tollgate/testing';
import fc from 'fast-check';
import qs from 'qs';

/**
 * Throws a few thousand generated malformed requests at the real admin API and checks what a
 * caller must be able to rely on: never a 5xx, every 4xx in Kong's `{code, name, message,
 * fields}` shape, and a refused request leaves the database exactly as it was.
 */

const SEED = 20261127;
const MIB = 1024 * 1024;
const KONG = { INVALID_PRIMARY_KEY: 1, SCHEMA_VIOLATION: 2, FOREIGN_KEY_VIOLATION: 4, UNIQUE_VIOLATION: 5, NOT_FOUND: 6, MALFORMED_BODY: 101, PAYLOAD_TOO_LARGE: 102, UNSUPPORTED_MEDIA_TYPE: 103 };
const PLUGIN_ID = '5eed0000-0000-4000-8000-000000000001';
const SEED_KEYS = new Set(['taken', 'spare', 'taken-key', 'taken.example:8000', 'taken-api', PLUGIN_ID]);
const TABLES = [...ENTITIES.map((def) => def.name), 'apis'];

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a request may do: be refused (4xx), answer anything but change nothing, or write. */
type Outcome = 'refused' | 'no-op' | 'may-write';

interface AdminRequest {
  readonly method: Method;
  readonly path: string;
  readonly body?: Buffer;
  readonly contentType?: string;
  /** Sent chunked, without a Content-Length. */
  readonly streamed?: boolean;
  readonly outcome: Outcome;
  /** Kong error code a refusal must carry, when the request says which rule it breaks. */
  readonly code?: number;
  /** Field the refusal's `fields` must name (or `@entity`, for a rule across fields). */
  readonly field?: string;
}

type RequestOptions = Omit<AdminRequest, 'method' | 'path' | 'outcome' | 'body'> & { body?: string | Buffer; outcome?: Outcome };

function request(method: Method, path: string, init: RequestOptions = {}): AdminRequest {
  const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
  const req = { ...init, method, path, body, outcome: init.outcome ?? 'refused' };
  // fast-check prints the counterexample with this: a 1 MiB body would drown the seed.
  return Object.assign(req, { [fc.toStringMethod]: () => describeRequest(req) });
}

function describeRequest(req: AdminRequest): string {
  const text = req.body?.subarray(0, 300).toString('utf8') ?? '';
  const size = req.body ? `, ${req.body.length} bytes${req.streamed ? ' chunked' : ''}` : '';
  return `${req.method} ${req.path} [${req.contentType ?? 'no content-type'}${size}] ${JSON.stringify(text)}`;
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.tollgate+json', undefined] as const;

function jsonRequest(method: Method, path: string, body: unknown, init: RequestOptions = {}): AdminRequest {
  return request(method, path, { contentType: 'application/json', ...init, body: JSON.stringify(body) });
}

function formRequest(method: Method, path: string, body: Record<string, unknown>, init: RequestOptions = {}): AdminRequest {
  const text = qs.stringify(body, { allowDots: true, arrayFormat: 'repeat' });
  return request(method, path, { contentType: 'application/x-www-form-urlencoded', ...init, body: text });
}

const seg = (key: string) => encodeURIComponent(key);

// ---------------------------------------------------------------------------------------------
// Where writes go: every collection with a valid body, the field its path sets, and a seed.

interface Collection {
  readonly path: string;
  readonly def: EntityDefinition;
  /** A body the collection accepts, so that the one broken field is the reason for a refusal. */
  readonly base: Record<string, unknown>;
  /** Foreign field set from the path (`/services/{s}/routes` sets `service`). */
  readonly scope?: string;
  /** Key of the entity seeded in this collection. */
  readonly seed?: string;
}

const COLLECTIONS: readonly Collection[] = [
  { path: '/services', def: services, base: { host: 'fuzz.example' }, seed: 'taken' },
  { path: '/routes', def: routes, base: { paths: ['/fuzz'] }, seed: 'taken' },
  { path: '/services/taken/routes', def: routes, base: { paths: ['/fuzz'] }, scope: 'service', seed: 'taken' },
  { path: '/consumers', def: consumers, base: { custom_id: 'fuzz' }, seed: 'taken' },
  { path: '/plugins', def: plugins, base: { name: 'cors' }, seed: PLUGIN_ID },
  { path: '/consumers/taken/key-auth', def: keyauthCredentials, base: {}, scope: 'consumer', seed: 'taken-key' },
  { path: '/upstreams', def: upstreams, base: { name: 'fuzz.example' }, seed: 'taken' },
  { path: '/upstreams/taken/targets', def: targets, base: { target: 'fuzz.example:8000' }, scope: 'upstream', seed: 'taken.example:8000' },
  { path: '/certificates', def: certificates, base: { cert: 'not a certificate', key: 'not a key' } },
];
/** Collections that refuse an empty body, for bodies that may parse to `{}`. */
const NEEDS_FIELDS = COLLECTIONS.filter((c) => Object.keys(c.base).length > 0);
const byPath = (path: string) => COLLECTIONS.find((c) => c.path === path)!;

interface WriteTarget {
  readonly method: Method;
  readonly path: string;
  /** PATCH sends the broken field alone; POST and PUT send it on top of the valid body. */
  readonly partial: boolean;
  /** PUT on a name: the endpoint key fills the body and a stored id replaces any id sent. */
  readonly byName: boolean;
}

function writeTargets(c: Collection): fc.Arbitrary<WriteTarget> {
  const options: fc.Arbitrary<WriteTarget>[] = [
    fc.constant({ method: 'POST', path: c.path, partial: false, byName: false }),
    fc.uuid().map((id) => ({ method: 'PUT', path: `${c.path}/${id}`, partial: false, byName: false })),
  ];
  if (c.seed !== undefined) {
    const path = `${c.path}/${seg(c.seed)}`;
    options.push(fc.constant({ method: 'PUT', path, partial: false, byName: !isUuid(c.seed) }), fc.constant({ method: 'PATCH', path, partial: true, byName: false }));
  }
  return fc.oneof(...options);
}

/** A request to `target` carrying `fields` as JSON: alone for PATCH, over the valid body otherwise. */
function brokenBody(c: Collection, target: WriteTarget, fields: Record<string, unknown>, init: RequestOptions = {}): AdminRequest {
  const base: Record<string, unknown> = { ...c.base };
  // The path supplies the endpoint key; a different one in the body would be the first error.
  if (target.byName) delete base[c.def.endpointKey!];
  return jsonRequest(target.method, target.path, target.partial ? fields : { ...base, ...fields }, init);
}

const SERVER_FIELDS = new Set(['created_at', 'updated_at']);

function writableFields(c: Collection, target?: WriteTarget): [string, FieldSchema][] {
  return Object.entries(c.def.fields).filter(([name]) => !SERVER_FIELDS.has(name) && name !== c.scope && !(target?.byName && name === 'id'));
}

/** Every field path into a field map, records followed down (`healthchecks.active.timeout`). */
function fieldPaths(fields: FieldMap, prefix: string[] = []): [string[], FieldSchema][] {
  return Object.entries(fields).flatMap(([name, schema]): [string[], FieldSchema][] => {
    const path = [...prefix, name];
    return schema.type === 'record' && schema.fields ? [[path, schema], ...fieldPaths(schema.fields, path)] : [[path, schema]];
  });
}

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

const PLUGIN_NAMES = availablePlugins();
const configPaths = (name: string) => fieldPaths(findPluginSchema(name)!.config);

// ---------------------------------------------------------------------------------------------
// Values a field must refuse, derived from its schema.

const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }));

function outOfRange(schema: FieldSchema): fc.Arbitrary<number>[] {
  const out: fc.Arbitrary<number>[] = [];
  if (schema.between) out.push(fc.constantFrom(schema.between[0] - 1, schema.between[1] + 1, schema.between[1] * 2 + 7));
  if (schema.gt !== undefined) out.push(fc.constantFrom(schema.gt, schema.gt - 1));
  if (schema.one_of) out.push(fc.integer().filter((n) => !schema.one_of!.includes(n)));
  return out;
}

/** A JSON value of the wrong type (or out of range) for the field: always a schema violation. */
function wrongValue(schema: FieldSchema): fc.Arbitrary<unknown> {
  switch (schema.type) {
    case 'string':
      return schema.one_of ? fc.oneof(notAString, fc.string().filter((s) => !schema.one_of!.includes(s))) : notAString;
    case 'integer':
      return fc.oneof(fc.string(), fc.boolean(), fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }), fc.constant(2 ** 53), fc.constant([1]), ...outOfRange(schema));
    case 'number':
      return fc.oneof(fc.string(), fc.boolean(), fc.constant({}), ...outOfRange(schema));
    case 'boolean':
      return fc.oneof(fc.string(), fc.integer(), fc.constant([true]), fc.constant({}));
    case 'array':
    case 'set': {
      const elements = schema.elements ? [fc.array(wrongValue(schema.elements), { minLength: 1, maxLength: 3 })] : [];
      return fc.oneof(fc.string(), fc.integer(), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), ...elements);
    }
    case 'map': {
      const values = schema.values ? [wrongValue(schema.values).map((v) => ({ 'x-fuzz': v }))] : [];
      return fc.oneof(fc.array(fc.string(), { maxLength: 2 }), fc.string(), fc.integer(), ...values);
    }
    case 'record': {
      const fields = Object.entries(schema.fields ?? {});
      const nested = fields.length > 0 ? [fc.constantFrom(...fields).chain(([name, sub]) => wrongValue(sub).map((v) => ({ [name]: v })))] : [];
      return fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer(), { maxLength: 2 }), ...nested);
    }
    case 'foreign':
      return fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.array(fc.uuid(), { minLength: 1, maxLength: 2 }),
        fc.constant({ nope: 1 }),
        fc.string().filter((s) => !isUuid(s)).map((id) => ({ id })),
        fc.uuid().map((id) => ({ id, name: 'both' })),
        notAString.map((name) => ({ name })),
      );
    case 'json':
      return fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }));
  }
}

/** A string Postgres can store neither in text nor in jsonb. */
const unstorable = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom('\u0000', '\ud800', '\udfff', 'x\u0000y'), fc.string({ maxLength: 8 }))
  .map(([a, b, c]) => a + b + c);

function unstorableValue(schema: FieldSchema): fc.Arbitrary<unknown> | null {
  if (schema.type === 'string') return unstorable;
  if ((schema.type === 'array' || schema.type === 'set') && schema.elements?.type === 'string') return unstorable.map((s) => [s]);
  return null;
}

/** Null where the schema does not allow it: required, or defaulted and not nullable. */
const refusesNull = (schema: FieldSchema) => schema.required === true || (schema.default !== undefined && !schema.nullable);

// ---------------------------------------------------------------------------------------------
// Families of malformed requests.

const jsonType = fc.constantFrom(...JSON_TYPES);

/** Broken JSON text; when a mutation happens to stay a JSON object the request may be accepted. */
const malformedJson = fc
  .tuple(
    fc.constantFrom(...NEEDS_FIELDS),
    fc.oneof(
      fc.tuple(fc.nat(), fc.constantFrom('truncate', 'insert', 'replace')),
      fc.constantFrom(`{'host': 'x'}`, '{host: "x"}', '{"host": "x",}', '{"a": NaN}', '{"a": undefined}', '{"a":1}{"b":2}', '{"a" 1}', '{', '{"a":"\\u00"}', '\ufeff{}', ')]}\',\n{}', '{"a":1}}', '{"a":[}', '{"a":01}', '{"a":"\t"}', '{"a":.5}'),
    ),
    fc.constantFrom('{', '}', '[', ']', ':', ',', '"', '\\', "'", 'x'),
    fc.constantFrom('application/json', 'application/problem+json', undefined),
  )
  .map(([c, mutation, char, contentType]) => {
    let text: string;
    if (typeof mutation === 'string') text = mutation;
    else {
      const valid = JSON.stringify(c.base);
      const at = 1 + (mutation[0] % (valid.length - 1));
      if (mutation[1] === 'truncate') text = valid.slice(0, at);
      else if (mutation[1] === 'insert') text = valid.slice(0, at) + char + valid.slice(at);
      else text = valid.slice(0, at) + char + valid.slice(at + 1);
    }
    const parsed = (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })();
    // Without a content type only a body starting with `{` is read as JSON.
    const readAsJson = contentType !== undefined || text.startsWith('{');
    const stillValid = parsed !== undefined && isPlainObject(parsed);
    const outcome: Outcome = stillValid || !readAsJson ? 'may-write' : 'refused';
    return request('POST', c.path, { body: text, contentType, outcome, code: outcome === 'refused' ? KONG.MALFORMED_BODY : undefined });
  });

const jsonNotObject = fc
  .tuple(
    fc.constantFrom(...COLLECTIONS),
    fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant([{ host: 'fuzz.example' }])),
    fc.constantFrom('POST', 'PUT', 'PATCH'),
    fc.constantFrom('application/json', 'application/merge-patch+json'),
  )
  .map(([c, value, method, contentType]) => {
    const path = method === 'POST' ? c.path : `${c.path}/${seg(c.seed ?? PLUGIN_ID)}`;
    return request(method as Method, path, { body: JSON.stringify(value), contentType, code: KONG.MALFORMED_BODY });
  });

const BAD_CONTENT_TYPES = ['text/plain', 'text/html; charset=utf-8', 'application/xml', 'application/octet-stream', 'image/png', 'application/jsonx', 'json', 'text/json', 'application/json+x', 'multipart/mixed; boundary=x', 'application/x-www-form-urlencodedx', '*/*'];

const badContentType = fc
  .tuple(fc.constantFrom(...COLLECTIONS), fc.constantFrom(...BAD_CONTENT_TYPES), fc.boolean(), fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'))
  .map(([c, contentType, asJson, method]) => {
    const body = asJson ? JSON.stringify({ ...c.base, tags: ['fuzz'] }) : qs.stringify({ ...c.base, tags: 'fuzz' });
    const path = method === 'POST' ? c.path : `${c.path}/${seg(c.seed ?? PLUGIN_ID)}`;
    return request(method as Method, path, { body, contentType, code: KONG.UNSUPPORTED_MEDIA_TYPE });
  });

const oversized = fc
  .tuple(fc.constantFrom(...COLLECTIONS), fc.integer({ min: 1, max: 64 * 1024 }), fc.constantFrom('json', 'form', 'multipart', 'octet', 'chunked'))
  .map(([c, extra, kind]) => {
    const filler = 'a'.repeat(MIB + extra);
    const init = { outcome: 'refused', code: KONG.PAYLOAD_TOO_LARGE } as const;
    if (kind === 'form') return request('POST', c.path, { ...init, body: `host=${filler}`, contentType: 'application/x-www-form-urlencoded' });
    if (kind === 'multipart') return request('POST', c.path, { ...init, body: multipart('fuzzb', [{ name: 'host', value: filler }]), contentType: 'multipart/form-data; boundary=fuzzb' });
    if (kind === 'octet') return request('POST', c.path, { ...init, body: filler, contentType: 'application/octet-stream' });
    return request('POST', c.path, { ...init, body: JSON.stringify({ ...c.base, tags: [filler] }), contentType: 'application/json', streamed: kind === 'chunked' });
  });

interface Part {
  readonly name: string;
  readonly value: string;
  readonly filename?: string;
}

function multipart(boundary: string, parts: readonly Part[]): string {
  const encoded = parts.map((p) => {
    const file = p.filename === undefined ? '' : `; filename="${p.filename}"\r\nContent-Type: application/octet-stream`;
    return `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}\r\n\r\n${p.value}\r\n`;
  });
  return `${encoded.join('')}--${boundary}--\r\n`;
}

const WEIRD_KEYS = [
  'a[][]', 'config..x', 'config.', '.config', '__proto__', '__proto__[polluted]', '__proto__.polluted', 'constructor[prototype][polluted]',
  'constructor.prototype.polluted', 'config[__proto__][polluted]', 'toString', 'hasOwnProperty', 'tags[]', 'tags[1001]', 'tags[][x]',
  'x[0][1][2][3][4][5][6][7][8][9]', '[]', ']', '[', '%', '%00', ' ', 'host[]', 'host[x]', 'config[minute]', 'a.b.c.d.e.f.g.h.i.j',
];

const weirdForm = fc
  .tuple(fc.constantFrom(...COLLECTIONS), fc.array(fc.tuple(fc.constantFrom(...WEIRD_KEYS), fc.string({ maxLength: 6 }), fc.boolean()), { minLength: 1, maxLength: 4 }))
  .map(([c, pairs]) => {
    const weird = pairs.map(([key, value, raw]) => `${raw ? key : encodeURIComponent(key)}=${encodeURIComponent(value)}`);
    const text = [qs.stringify(c.base, { allowDots: true, arrayFormat: 'repeat' }), ...weird].filter((s) => s.length > 0).join('&');
    return request('POST', c.path, { body: text, contentType: 'application/x-www-form-urlencoded', outcome: 'may-write' });
  });

const multipartGarbage = fc.oneof(
  // No boundary: busboy cannot even start.
  fc.tuple(fc.constantFrom(...COLLECTIONS), fc.string({ minLength: 1 })).map(([c, text]) =>
    request('POST', c.path, { body: text, contentType: 'multipart/form-data', code: KONG.MALFORMED_BODY }),
  ),
  // Bytes that never reach a boundary, a foreign boundary, or a form cut before its end.
  fc.tuple(fc.constantFrom(...NEEDS_FIELDS), fc.uint8Array({ minLength: 1, maxLength: 512 })).map(([c, bytes]) =>
    request('POST', c.path, { body: Buffer.from(bytes), contentType: 'multipart/form-data; boundary=fuzz-boundary-7f3a' }),
  ),
  fc.constantFrom(...NEEDS_FIELDS).map((c) =>
    request('POST', c.path, { body: multipart('other', [{ name: 'host', value: 'x.example' }]), contentType: 'multipart/form-data; boundary=fuzzb' }),
  ),
  fc.tuple(fc.constantFrom(...NEEDS_FIELDS), fc.nat()).map(([c, cut]) => {
    const body = multipart('fuzzb', Object.entries(c.base).map(([name, value]) => ({ name, value: String(value) })));
    const end = body.lastIndexOf('--fuzzb--');
    return request('POST', c.path, { body: body.slice(0, 1 + (cut % end)), contentType: 'multipart/form-data; boundary=fuzzb' });
  }),
  // Well-formed, with weird names and file parts: may be accepted, must not break anything.
  fc
    .tuple(
      fc.constantFrom(...COLLECTIONS),
      fc.array(fc.record({ name: fc.constantFrom(...WEIRD_KEYS, 'tags', 'config.minute'), value: fc.string({ maxLength: 12 }), filename: fc.option(fc.constantFrom('x.pem', '', '../../etc/passwd'), { nil: undefined }) }), { maxLength: 4 }),
      fc.constantFrom('multipart/form-data; boundary=fuzzb', 'multipart/form-data; boundary="fuzzb"; charset=koi8-r', 'Multipart/Form-Data; boundary=fuzzb'),
    )
    .map(([c, parts, contentType]) => {
      const base = Object.entries(c.base).map(([name, value]) => ({ name, value: String(value) }));
      return request('POST', c.path, { body: multipart('fuzzb', [...base, ...parts]), contentType, outcome: 'may-write' });
    }),
);

/** JSON nested past 32 levels, anywhere in the body (a declarative file with a plugin config is about ten). */
const tooDeep = fc
  .tuple(fc.constantFrom(...COLLECTIONS), fc.integer({ min: 33, max: 100_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('POST', 'PUT', 'PATCH'))
  .map(([c, depth, open, method]) => {
    const close = open === '[' ? ']' : '}';
    const body = `{"tags":${open.repeat(depth - 1)}1${close.repeat(depth - 1)}}`;
    const path = method === 'POST' ? c.path : `${c.path}/${seg(c.seed ?? PLUGIN_ID)}`;
    return request(method as Method, path, { body, contentType: 'application/json', code: KONG.MALFORMED_BODY });
  });

/** Bytes that are not UTF-8 inside an otherwise valid JSON, form or multipart body. */
const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];
const notUtf8 = fc
  .tuple(fc.constantFrom(...NEEDS_FIELDS), fc.constantFrom(...INVALID_UTF8), fc.constantFrom('json', 'form', 'form-escaped', 'multipart'))
  .map(([c, bytes, kind]) => {
    const bad = Buffer.from(bytes);
    const [name, value] = Object.entries(c.base)[0]!;
    const init = { code: KONG.MALFORMED_BODY } as const;
    if (kind === 'json') {
      const text = JSON.stringify({ ...c.base, tags: ['x'] });
      const at = text.indexOf('"x"') + 1;
      return request('POST', c.path, { ...init, contentType: 'application/json', body: Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]) });
    }
    const form = qs.stringify(c.base, { allowDots: true, arrayFormat: 'repeat' });
    if (kind === 'form') return request('POST', c.path, { ...init, contentType: 'application/x-www-form-urlencoded', body: Buffer.concat([Buffer.from(`${form}&tags=`), bad]) });
    if (kind === 'form-escaped') {
      const escaped = [...bad].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      return request('POST', c.path, { ...init, contentType: 'application/x-www-form-urlencoded', body: `${form}&tags=a${escaped}` });
    }
    const body = Buffer.concat([Buffer.from(`--fuzzb\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}`), bad, Buffer.from('\r\n--fuzzb--\r\n')]);
    return request('POST', c.path, { ...init, contentType: 'multipart/form-data; boundary=fuzzb', body });
  });

/** Known fields aside, names no entity has; `constructor` & co. are inherited by every object. */
const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__'];
const unknownName = (fields: object) =>
  fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ minLength: 1, maxLength: 24 })).filter((n) => !Object.hasOwn(fields, n) && n !== '__proto__' && n !== 'url');

const LEGACY_API = { name: 'fuzz-api', upstream_url: 'http://fuzz.example', uris: '/fuzz' };

const unknownFields = fc.oneof(
  fc.constantFrom(...COLLECTIONS).chain((c) =>
    fc.tuple(writeTargets(c), unknownName(c.def.fields), fc.jsonValue({ maxDepth: 1 }), jsonType).map(([target, name, value, contentType]) =>
      brokenBody(c, target, { [name]: value }, { contentType, code: KONG.SCHEMA_VIOLATION, field: name }),
    ),
  ),
  // Forms: qs drops prototype names, so plain unknown names only.
  fc.tuple(fc.constantFrom(...COLLECTIONS), fc.stringMatching(/^[a-z_]{1,16}$/)).filter(([c, name]) => !Object.hasOwn(c.def.fields, name) && name !== 'url' && !PROTOTYPE_NAMES.includes(name))
    .map(([c, name]) => formRequest('POST', c.path, { ...c.base, [name]: 'x' }, { code: KONG.SCHEMA_VIOLATION, field: name })),
  fc.tuple(fc.constantFrom(...PLUGIN_NAMES), fc.constantFrom('/plugins', '/services/taken/plugins', `/plugins/${PLUGIN_ID}`)).chain(([name, path]) =>
    unknownName(findPluginSchema(name)!.config).map((unknown) =>
      jsonRequest(path.includes(PLUGIN_ID) ? 'PATCH' : 'POST', path, { name, config: { [unknown]: 1 } }, { field: 'config' }),
    ),
  ),
  unknownName({}).map((name) => jsonRequest('POST', '/upstreams', { name: 'fuzz.example', healthchecks: { active: { healthy: { [name]: 1 } } } }, { field: 'healthchecks' })),
  unknownName({ id: 1, name: 1, upstream_url: 1, request_host: 1, request_path: 1, strip_request_path: 1, preserve_host: 1, hosts: 1, uris: 1, methods: 1, strip_uri: 1, https_only: 1, http_if_terminated: 1, retries: 1, upstream_connect_timeout: 1, upstream_send_timeout: 1, upstream_read_timeout: 1, created_at: 1, tags: 1 })
    .map((name) => jsonRequest('POST', '/apis', { ...LEGACY_API, [name]: 'x' }, { field: name })),
);

const wrongTypes = fc.constantFrom(...COLLECTIONS).chain((c) =>
  writeTargets(c).chain((target) =>
    fc.tuple(fc.constantFrom(...writableFields(c, target)).chain(([name, schema]) => wrongValue(schema).map((v) => [name, v] as const)), jsonType).map(([[name, value], contentType]) =>
      brokenBody(c, target, { [name]: value }, { contentType, code: KONG.SCHEMA_VIOLATION, field: name }),
    ),
  ),
);

const wrongLegacyTypes = fc
  .oneof(
    notAString.map((name) => ({ name })),
    notAString.map((upstream_url) => ({ upstream_url })),
    fc.constantFrom('hosts', 'uris', 'methods').chain((field) => fc.oneof(fc.integer(), fc.boolean(), fc.constant({})).map((v) => ({ [field]: v }))),
    fc.constantFrom('strip_uri', 'preserve_host').chain((field) => fc.oneof(fc.integer(), fc.constant('yes'), fc.constant([])).map((v) => ({ [field]: v }))),
    fc.constantFrom('retries', 'upstream_connect_timeout', 'upstream_send_timeout', 'upstream_read_timeout').chain((field) => fc.string().map((v) => ({ [field]: v }))),
  )
  .map((fields) => jsonRequest('POST', '/apis', { ...LEGACY_API, ...fields }));

const pluginPaths = fc.constantFrom('/plugins', '/services/taken/plugins', '/routes/taken/plugins', `/plugins/${PLUGIN_ID}`);

const wrongPluginConfigs = fc.tuple(fc.constantFrom(...PLUGIN_NAMES), pluginPaths, fc.uuid()).chain(([name, path, id]) =>
  fc.constantFrom(...configPaths(name)).chain(([field, schema]) =>
    wrongValue(schema).map((value) => {
      const body = { name, config: nest(field, value) };
      const init = { code: KONG.SCHEMA_VIOLATION, field: 'config' };
      if (path.includes(PLUGIN_ID)) return jsonRequest('PATCH', path, body, init);
      return path === '/plugins' && id < '8' ? jsonRequest('PUT', `/plugins/${id}`, body, init) : jsonRequest('POST', path, body, init);
    }),
  ),
);

const formNulls = COLLECTIONS.flatMap((c) =>
  writableFields(c)
    .filter(([, schema]) => refusesNull(schema) && schema.type !== 'string' && schema.type !== 'foreign')
    .map(([name]) => [c, name] as const),
);

const pluginLeaves = PLUGIN_NAMES.flatMap((name) =>
  configPaths(name).flatMap(([path, schema]) => {
    const out: [string, fc.Arbitrary<Record<string, unknown>>][] = [];
    if (refusesNull(schema)) out.push([name, fc.constant(nest(path, null))]);
    const bad = unstorableValue(schema);
    if (bad) out.push([name, bad.map((v) => nest(path, v))]);
    return out;
  }),
);

const nullsAndUnstorable = fc.oneof(
  fc.constantFrom(...COLLECTIONS).chain((c) =>
    writeTargets(c).chain((target) => {
      const fields = writableFields(c, target).filter(([name]) => name !== 'id');
      const nulls = fields.filter(([, schema]) => refusesNull(schema)).map(([name]) => fc.constant([name, null] as const));
      const strings = fields.flatMap(([name, schema]) => unstorableValue(schema)?.map((v) => [name, v] as const) ?? []);
      return fc.oneof(...nulls, ...strings).map(([name, value]) => brokenBody(c, target, { [name]: value }, { code: KONG.SCHEMA_VIOLATION, field: name }));
    }),
  ),
  // A form's empty value is null for every type but string.
  fc.constantFrom(...formNulls).map(([c, name]) => formRequest('POST', c.path, { ...c.base, [name]: '' }, { code: KONG.SCHEMA_VIOLATION, field: name })),
  fc.constantFrom(...pluginLeaves).chain(([name, leaf]) => leaf.map((config) => jsonRequest('POST', '/plugins', { name, config }, { code: KONG.SCHEMA_VIOLATION, field: 'config' }))),
);

const overLong = fc.constantFrom(...COLLECTIONS).chain((c) =>
  writeTargets(c).chain((target) => {
    const strings = writableFields(c, target).filter(([, s]) => s.type === 'string');
    const lists = writableFields(c, target).filter(([, s]) => (s.type === 'array' || s.type === 'set') && s.len_max !== undefined);
    const options = [
      fc.tuple(fc.constantFrom(...strings), fc.integer({ min: 1, max: 64 })).map(([[name, s], extra]) => [name, 'a'.repeat((s.len_max ?? 65536) + extra)] as const),
      ...(lists.length > 0 ? [fc.constantFrom(...lists).map(([name, s]) => [name, Array.from({ length: s.len_max! + 1 }, (_, i) => `a${i}`)] as const)] : []),
      fc.constant(['tags', ['t'.repeat(129)]] as const),
    ];
    return fc.oneof(...options).map(([name, value]) => brokenBody(c, target, { [name]: value }, { code: KONG.SCHEMA_VIOLATION, field: name }));
  }),
);

/** Values of the right type that break a check: urls, hosts, ports, regex paths, names, ranges. */
const INVALID_VALUES: Record<string, Record<string, readonly unknown[]>> = {
  '/services': {
    url: ['not a url', 'ftp://x.example', 'http://', 'http://exa mple.com', 'http://x.example:99999', '://x.example', 'http://[::1', 'mailto:a@b.example', 'http://-bad-.example', 'http://a..b', 'file:///etc/passwd'],
    host: ['', 'exa mple.com', '-bad.example', 'a'.repeat(254), 'foo..bar', 'http://x.example', 'x.example:80', '*.x.example', '[::1'],
    port: [-1, 65536, 1e6, 80.5],
    protocol: ['ftp', 'HTTP', ''],
    path: ['no-slash', '/a b', '/a\\b', 'http://x'],
    retries: [-1, 32768],
    connect_timeout: [0, 2147483647],
    tls_verify_depth: [-1, 65],
    ca_certificates: [['too-short']],
    name: ['has space', 'slash/name', 'a'.repeat(129)],
  },
  '/routes': {
    paths: [['~/x('], ['~/['], ['~(?<'], ['no-slash'], ['/with space'], ['~*('], [''], []],
    hosts: [['*.*.x.example'], ['a.*.example'], ['x.example:99999'], ['exa mple.com'], ['']],
    methods: [['get'], ['GET POST'], ['']],
    protocols: [['ftp'], []],
    headers: [{ 'bad header': ['x'] }, { 'x-ok': 'not-an-array' }, { '': ['x'] }],
    snis: [['*.*.x.example'], ['bad sni!']],
    https_redirect_status_code: [200, 303],
    path_handling: ['v2'],
    regex_priority: [2 ** 31, -(2 ** 31) - 1, 2 ** 40],
    regions: [['UPPER'], ['has space'], ['-lead']],
    tags: [['a,b'], ['a/b'], [' lead'], [''], ['trail ']],
    name: ['has space', 'a'.repeat(129)],
  },
  '/consumers': { username: ['', 'a'.repeat(257)], custom_id: ['', 'c'.repeat(257)] },
  '/plugins': { name: ['no-such-plugin', '', 'CORS'], protocols: [[], ['ftp']], instance_name: ['bad name!', 'a'.repeat(129)], regions: [['UPPER']] },
  '/upstreams': {
    name: ['bad host!', '', '-x'],
    algorithm: ['random'],
    hash_on: ['header', 'cookie', 'query_arg', 'uri_capture', 'everything'],
    slots: [9, 65537],
    hash_on_header: ['bad header'],
    hash_on_cookie_path: ['no-slash'],
    host_header: ['bad host!'],
    healthchecks: [{ active: { http_path: 'no-slash' } }, { active: { type: 'udp' } }, { threshold: 101 }, { active: { healthy: { http_statuses: [99] } } }, { passive: { unhealthy: { timeouts: 256 } } }],
  },
  '/upstreams/taken/targets': { target: ['host:99999', 'ho st:80', ':80', '', 'a:b:c', '[::1', 'x.example:-1'], weight: [-1, 65536] },
  '/consumers/taken/key-auth': { key: ['', 'k'.repeat(1025)], ttl: [-1, 100000001, 1.5] },
  '/certificates': { cert: ['garbage', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'], key: ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'] },
};
INVALID_VALUES['/services/taken/routes'] = INVALID_VALUES['/routes']!;

/** A form says the same only for non-empty strings and numbers. */
const formSafe = (v: unknown): boolean =>
  (typeof v === 'string' && v.length > 0) || typeof v === 'number' || (Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'string' && e.length > 0));

const invalidValues = fc.oneof(
  fc.constantFrom(...Object.keys(INVALID_VALUES)).chain((path) => {
    const c = byPath(path);
    const pairs = Object.entries(INVALID_VALUES[path]!).flatMap(([field, values]) => values.map((v) => [field, v] as const));
    return fc.tuple(writeTargets(c), fc.constantFrom(...pairs), fc.boolean()).map(([target, [field, value], asForm]) => {
      // A url that parses is expanded: the error is on the host, port or path it set.
      const init = { field: field === 'url' ? undefined : field };
      if (asForm && !target.partial && !target.byName && formSafe(value)) return formRequest(target.method, target.path, { ...c.base, [field]: value }, init);
      return brokenBody(c, target, { [field]: value }, init);
    });
  }),
  fc
    .constantFrom<Record<string, unknown>>(
      { upstream_url: 'not a url' },
      { upstream_url: 'ftp://x.example' },
      { uris: '~/x(' },
      { hosts: 'exa mple.com' },
      { methods: 'get' },
      { name: 'bad name!' },
      { retries: -1 },
      { uris: '' },
      { request_path: 'no-slash' },
      { request_host: '-bad.example' },
    )
    .map((fields) => jsonRequest('POST', '/apis', { ...LEGACY_API, ...fields })),
  fc
    .constantFrom<[string, Record<string, unknown>]>(
      ['rate-limiting', {}],
      ['rate-limiting', { minute: 5, policy: 'redis' }],
      ['rate-limiting', { minute: 0 }],
      ['rate-limiting', { minute: 5, limit_by: 'header' }],
      ['key-auth', { key_names: [] }],
      ['key-auth', { key_names: ['bad header'] }],
      ['ip-restriction', { allow: ['not-an-ip'] }],
      ['ip-restriction', { allow: ['10.0.0.0/33'] }],
    )
    .map(([name, config]) => jsonRequest('POST', '/plugins', { name, config }, { field: 'config' })),
  fc.constantFrom(...PLUGIN_NAMES).filter((name) => findPluginSchema(name)!.no_consumer === true)
    .map((name) => jsonRequest('POST', '/consumers/taken/plugins', { name }, { field: 'consumer' })),
);

const missingName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((n) => !SEED_KEYS.has(n) && !n.startsWith('fuzz'));
const missingRef = fc.oneof(fc.uuid().map((id) => ({ id })), fc.uuid(), missingName, missingName.map((name) => ({ name })));

const missingReferences = fc.oneof(
  fc.tuple(missingRef, fc.uuid()).chain(([ref, id]) =>
    fc.constantFrom(
      jsonRequest('POST', '/routes', { paths: ['/fuzz'], service: ref }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('PUT', `/routes/${id}`, { paths: ['/fuzz'], service: ref }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('PATCH', '/routes/taken', { service: ref }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('POST', '/plugins', { name: 'cors', route: ref }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('POST', '/plugins', { name: 'cors', service: ref }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('POST', '/plugins', { name: 'rate-limiting', consumer: ref, config: { minute: 1 } }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('POST', '/key-auths', { consumer: ref }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('POST', '/acls', { consumer: ref, group: 'fuzz' }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('POST', '/services', { host: 'fuzz.example', client_certificate: ref }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      jsonRequest('POST', '/snis', { name: 'fuzz.example', certificate: ref }, { code: KONG.FOREIGN_KEY_VIOLATION }),
      formRequest('POST', '/routes', { paths: '/fuzz', service: typeof ref === 'string' ? ref : Object.values(ref)[0] }, { code: KONG.FOREIGN_KEY_VIOLATION }),
    ),
  ),
  fc.oneof(fc.uuid(), missingName).map((key) => jsonRequest('POST', `/apis/${key}/plugins`, { name: 'cors' }, { code: KONG.NOT_FOUND })),
);

const NESTED: readonly { parent: string; child: string; body: Record<string, unknown> }[] = [
  { parent: '/services', child: 'routes', body: { paths: ['/fuzz'] } },
  { parent: '/services', child: 'plugins', body: { name: 'cors' } },
  { parent: '/routes', child: 'plugins', body: { name: 'cors' } },
  { parent: '/consumers', child: 'plugins', body: { name: 'rate-limiting', config: { minute: 1 } } },
  { parent: '/consumers', child: 'key-auth', body: {} },
  { parent: '/consumers', child: 'basic-auth', body: { username: 'fuzz', password: 'secret' } },
  { parent: '/consumers', child: 'jwt', body: {} },
  { parent: '/consumers', child: 'acls', body: { group: 'fuzz' } },
  { parent: '/upstreams', child: 'targets', body: { target: 'fuzz.example:8000' } },
  { parent: '/certificates', child: 'snis', body: { name: 'fuzz.example' } },
];

const missingParents = fc
  .tuple(fc.constantFrom(...NESTED), fc.oneof(fc.uuid(), missingName), fc.oneof(fc.uuid(), missingName), fc.constantFrom('POST', 'PUT', 'PATCH', 'GET', 'DELETE'))
  .map(([n, parent, key, method]) => {
    const collection = `${n.parent}/${parent}/${n.child}`;
    // Certificates have no name: any other key is not a primary key at all.
    const code = n.parent === '/certificates' && !isUuid(parent) ? KONG.INVALID_PRIMARY_KEY : KONG.NOT_FOUND;
    if (method === 'POST') return jsonRequest('POST', collection, n.body, { code });
    if (method === 'GET' || method === 'DELETE') return request(method, `${collection}/${key}`, { code });
    return jsonRequest(method as Method, `${collection}/${key}`, n.body, { code });
  });

/** Path segments sent as they are: NUL, broken percent-encoding, an encoded lone surrogate. */
const RAW_SEGMENTS = ['%00', 'a%00b', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', '%'];
const almostUuid = fc.uuid().chain((u) =>
  fc.oneof(
    fc.constantFrom(u.replace(/-/g, ''), `{${u}}`, `${u} `, u.slice(1), `${u}0`, u.replace(/-/g, '_')),
    fc.nat({ max: 35 }).map((i) => u.slice(0, i) + 'g' + u.slice(i + 1)),
  ),
);
const junkKey = fc.oneof(
  fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), almostUuid).filter((k) => !SEED_KEYS.has(k) && k !== '.' && k !== '..' && !isUuid(k)).map(seg),
  fc.constantFrom(...RAW_SEGMENTS),
);
const junkId = fc.oneof(fc.string({ maxLength: 40 }), almostUuid, fc.integer(), fc.boolean(), fc.constant({})).filter((id) => !isUuid(id));

const badIds = fc.oneof(
  fc.tuple(fc.constantFrom(...COLLECTIONS), junkKey, fc.constantFrom('GET', 'PATCH', 'DELETE')).map(([c, key, method]) =>
    method === 'PATCH' ? jsonRequest('PATCH', `${c.path}/${key}`, {}) : request(method as Method, `${c.path}/${key}`, { outcome: method === 'GET' ? 'refused' : 'no-op' }),
  ),
  fc.tuple(fc.constantFrom('/plugins', '/certificates', '/acls', '/ca_certificates'), junkKey).map(([path, key]) => jsonRequest('PUT', `${path}/${key}`, { name: 'cors' })),
  fc.tuple(junkKey, fc.constantFrom('GET', 'DELETE')).map(([key, method]) => request(method as Method, `/apis/${key}`, { outcome: method === 'GET' ? 'refused' : 'no-op' })),
  junkKey.map((key) => request('GET', `/routes/${key}/service`)),
  junkKey.map((key) => request('GET', `/tags/${key}`, { outcome: 'no-op' })),
  fc.constantFrom(...COLLECTIONS).chain((c) =>
    fc.tuple(writeTargets(c).filter((t) => !t.byName), junkId).map(([target, id]) => brokenBody(c, target, { id }, { code: KONG.SCHEMA_VIOLATION })),
  ),
);

const duplicates = fc.tuple(fc.uuid(), fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 3 })).chain(([id, tags]) =>
  fc.constantFrom(
    jsonRequest('POST', '/services', { name: 'taken', host: 'fuzz.example', tags }),
    jsonRequest('PUT', `/services/${id}`, { name: 'taken', host: 'fuzz.example', tags }),
    jsonRequest('PATCH', '/services/spare', { name: 'taken', tags }),
    jsonRequest('POST', '/consumers', { username: 'taken', tags }),
    jsonRequest('POST', '/consumers', { custom_id: 'taken', tags }),
    jsonRequest('PUT', `/consumers/${id}`, { username: 'taken', tags }),
    jsonRequest('POST', '/routes', { name: 'taken', paths: ['/fuzz'], tags }),
    jsonRequest('POST', '/services/taken/routes', { name: 'taken', paths: ['/fuzz'], tags }),
    jsonRequest('POST', '/upstreams', { name: 'taken', tags }),
    jsonRequest('POST', '/upstreams/taken/targets', { target: 'taken.example:8000', tags }),
    jsonRequest('POST', '/upstreams/taken/targets', { target: 'taken.example', tags }),
    jsonRequest('POST', '/consumers/taken/key-auth', { key: 'taken-key', tags }),
    jsonRequest('POST', '/key-auths', { consumer: 'taken', key: 'taken-key', tags }),
    jsonRequest('POST', '/plugins', { name: 'rate-limiting', service: 'taken', config: { minute: 1 }, tags }),
    jsonRequest('POST', '/services/taken/plugins', { name: 'rate-limiting', config: { hour: 1 }, tags }),
    jsonRequest('PUT', `/plugins/${id}`, { name: 'rate-limiting', service: { name: 'taken' }, config: { second: 1 }, tags }),
    jsonRequest('POST', '/plugins', { name: 'cors', instance_name: 'taken', tags }),
    jsonRequest('POST', '/apis', { name: 'taken', upstream_url: 'http://fuzz.example', uris: '/fuzz' }),
    jsonRequest('POST', '/apis', { name: 'taken-api', upstream_url: 'http://fuzz.example', uris: '/fuzz' }),
  ).map((req) => ({ ...req, code: KONG.UNIQUE_VIOLATION })),
);

const BAD_QUERIES = ['size=abc', 'size=0', 'size=1001', 'size=-1', 'size=1.5', 'size=', 'size=1&size=2', 'offset=garbage', 'offset=', 'offset=%00', 'offset=a&offset=b'];
const BAD_TAG_QUERIES = ['tags=a,b/c', 'tags=', 'tags=,', 'tags=a%00b', `tags=${'t'.repeat(129)}`, 'tags=a&tags=b'];

const badQueries = fc
  .tuple(
    fc.constantFrom('/services', '/routes', '/consumers', '/plugins', '/upstreams/taken/targets', '/services/taken/routes', '/consumers/taken/key-auth', '/certificates', '/apis', '/tags', '/tags/fuzz'),
    fc.constantFrom(...BAD_QUERIES, ...BAD_TAG_QUERIES),
  )
  // `/tags` reads its tag from the path, and `/apis` checks a tag filter's syntax but has no tags.
  .filter(([path, query]) => !(path.startsWith('/tags') && query.startsWith('tags=')) && !(path === '/apis' && query === 'tags=a%00b'))
  .map(([path, query]) => request('GET', `${path}?${query}`));

// ---------------------------------------------------------------------------------------------

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

type Fingerprint = Record<string, string>;

// Row contents per table (not just counts) so that a refused PATCH that still updated is caught.
const FINGERPRINT_SQL = `SELECT (SELECT version FROM config_state)::text AS version,
  (SELECT coalesce(max(version), 0) FROM config_changes)::text AS last_change,
  (SELECT count(*) FROM audit_log)::text AS audit,
  ${TABLES.map((t) => `(SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r.id), '')) FROM "${t}" r) AS "${t}"`).join(',\n  ')}`;

describe('admin API under malformed requests', () => {
  let cp: TestControlPlane;
  /** Ids of the rows each table should hold: the seeds, plus what 2xx answers created. */
  const expectedIds = new Map<string, Set<string>>();
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

  async function send(req: AdminRequest): Promise<Reply> {
    const headers: Record<string, string> = req.contentType === undefined ? {} : { 'content-type': req.contentType };
    let body: RequestInit['body'] = req.body;
    if (req.streamed && req.body) {
      const bytes = req.body;
      body = new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 64 * 1024) controller.enqueue(bytes.subarray(at, at + 64 * 1024));
          controller.close();
        },
      });
    }
    const res = await fetch(cp.adminUrl + req.path, { method: req.method, headers, body, ...(req.streamed ? { duplex: 'half' } : {}) } as RequestInit);
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  async function fingerprint(): Promise<Fingerprint> {
    const [row] = await cp.schema.query<Fingerprint>(FINGERPRINT_SQL);
    return row!;
  }

  async function rowIds(): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const table of TABLES) {
      const rows = await cp.schema.query<{ id: string }>(`SELECT id::text AS id FROM "${table}"`);
      out.set(table, new Set(rows.map((r) => r.id)));
    }
    return out;
  }

  /** Records the rows a 2xx write created, so that the final census can account for them. */
  async function recordCreated(req: AdminRequest, reply: Reply): Promise<void> {
    if (req.method === 'GET' || req.method === 'DELETE' || reply.status === 204) return;
    const body = JSON.parse(reply.text) as { id?: string };
    if (!body.id) return;
    if (req.path === '/apis') {
      const [api] = await cp.schema.query<{ service_id: string; route_id: string }>('SELECT service_id, route_id FROM apis WHERE id = $1', [body.id]);
      expectedIds.get('apis')!.add(body.id);
      expectedIds.get('services')!.add(api!.service_id);
      expectedIds.get('routes')!.add(api!.route_id);
      return;
    }
    const table = TABLES.find((t) => expectedIds.get(t)!.has(body.id!)) ?? tableFor(req.path);
    expectedIds.get(table)!.add(body.id);
  }

  async function check(req: AdminRequest): Promise<void> {
    const before = await fingerprint();
    const reply = await send(req);
    const after = await fingerprint();
    const context = `${describeRequest(req)}\n  -> ${reply.status} ${reply.contentType} ${reply.text.slice(0, 400)}`;
    if (reply.status >= 500) throw new Error(`server error\n${context}`);
    if (reply.status >= 400) {
      let body: unknown;
      try {
        body = JSON.parse(reply.text);
      } catch {
        body = undefined;
      }
      const kongShape =
        isPlainObject(body) && typeof body.code === 'number' && typeof body.name === 'string' && typeof body.message === 'string' && isPlainObject(body.fields);
      if (!kongShape || !reply.contentType.startsWith('application/json')) throw new Error(`4xx body is not {code, name, message, fields}\n${context}`);
      const { code, fields } = body as { code: number; fields: object };
      if (req.code !== undefined && code !== req.code) throw new Error(`expected Kong error code ${req.code}\n${context}`);
      if (req.field !== undefined && !Object.hasOwn(fields, req.field) && !Object.hasOwn(fields, '@entity')) throw new Error(`fields do not name '${req.field}'\n${context}`);
      expect({ request: describeRequest(req), database: after }).toEqual({ request: describeRequest(req), database: before });
      return;
    }
    if (req.outcome === 'refused') throw new Error(`malformed request accepted\n${context}`);
    if (req.outcome === 'no-op') expect({ request: describeRequest(req), database: after }).toEqual({ request: describeRequest(req), database: before });
    await recordCreated(req, reply);
  }

  const run = (arbitrary: fc.Arbitrary<AdminRequest>, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(arbitrary, (req) => check(req)),
      { seed: SEED, numRuns },
    );

  beforeAll(async () => {
    // TypeORM logs every failed query: thousands of expected constraint violations.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    cp = await startTestControlPlane('admin-malformed');
    const seeds = [
      jsonRequest('PUT', '/services/taken', { host: 'taken.example' }),
      jsonRequest('PUT', '/services/spare', { host: 'spare.example' }),
      jsonRequest('PUT', '/routes/taken', { paths: ['/taken'], service: 'taken' }),
      jsonRequest('PUT', '/consumers/taken', { custom_id: 'taken' }),
      jsonRequest('PUT', '/consumers/taken/key-auth/taken-key', {}),
      jsonRequest('PUT', '/upstreams/taken', {}),
      jsonRequest('POST', '/upstreams/taken/targets', { target: 'taken.example:8000' }),
      jsonRequest('PUT', `/plugins/${PLUGIN_ID}`, { name: 'rate-limiting', instance_name: 'taken', service: 'taken', config: { minute: 5 } }),
      jsonRequest('POST', '/apis', { name: 'taken-api', upstream_url: 'http://taken.example', uris: '/taken-api' }),
    ];
    for (const seed of seeds) {
      const reply = await send(seed);
      if (reply.status >= 300) throw new Error(`seed refused: ${describeRequest(seed)} -> ${reply.status} ${reply.text}`);
    }
    for (const [table, ids] of await rowIds()) expectedIds.set(table, ids);
  });

  afterAll(async () => {
    await cp?.stop();
    jest.restoreAllMocks();
  });

  it('refuses bodies that are not a JSON object, a form or multipart, nested too deep, not UTF-8, or over 1 MiB', async () => {
    await run(malformedJson, 300);
    await run(jsonNotObject, 150);
    await run(badContentType, 100);
    await run(oversized, 30);
    await run(multipartGarbage, 150);
    await run(tooDeep, 60);
    await run(notUtf8, 100);
  }, 120_000);

  it('refuses unknown fields, wrong types for every field type, nulls and strings Postgres cannot store', async () => {
    await run(unknownFields, 300);
    await run(wrongTypes, 550);
    await run(wrongLegacyTypes, 50);
    await run(wrongPluginConfigs, 300);
    await run(nullsAndUnstorable, 250);
    await run(overLong, 100);
  }, 120_000);

  it('refuses invalid urls, hosts, ports, regex paths and names, duplicates and missing references', async () => {
    await run(invalidValues, 300);
    await run(duplicates, 100);
    await run(missingReferences, 150);
  }, 120_000);

  it('refuses non-UUID ids, junk keys, malformed queries and writes under missing parents', async () => {
    await run(badIds, 200);
    await run(badQueries, 100);
    await run(missingParents, 150);
  }, 120_000);

  it('survives weird form keys without polluting prototypes', async () => {
    await run(weirdForm, 200);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it('holds exactly the seeded rows and the rows that accepted requests created', async () => {
    const actual = await rowIds();
    for (const table of TABLES) expect({ table, ids: [...actual.get(table)!].sort() }).toEqual({ table, ids: [...expectedIds.get(table)!].sort() });
  });
});

/** The table a write to `path` lands in: the last collection segment that names an entity. */
function tableFor(path: string): string {
  const segments = path.split('?')[0]!.split('/').filter(Boolean);
  for (let i = segments.length - 1; i >= 0; i--) {
    const def = ENTITIES.find((e) => e.adminPath === segments[i] || e.nestedPath === segments[i]);
    if (def) return def.name;
  }
  throw new Error(`no entity table for ${path}`);
}

import type { EntityDefinition, FieldMap, FieldSchema } from '@tollgate/config';
import { ADMIN_ENTITIES, findAdminEntity } from '../entities/entity-registry';
import { TOLLGATE_VERSION } from '../info/node-info.service';

type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: FieldSchema): JsonSchema {
  const out: JsonSchema = {};
  if (schema.description) out.description = schema.description;
  if (schema.default !== undefined) out.default = schema.default;
  switch (schema.type) {
    case 'string':
      out.type = 'string';
      if (schema.one_of) out.enum = schema.one_of;
      if (schema.len_min !== undefined) out.minLength = schema.len_min;
      if (schema.len_max !== undefined) out.maxLength = schema.len_max;
      break;
    case 'integer':
    case 'number':
      out.type = schema.type;
      if (schema.one_of) out.enum = schema.one_of;
      if (schema.between) Object.assign(out, { minimum: schema.between[0], maximum: schema.between[1] });
      break;
    case 'boolean':
      out.type = 'boolean';
      break;
    case 'array':
    case 'set':
      Object.assign(out, { type: 'array', items: toJsonSchema(schema.elements ?? { type: 'json' }) });
      if (schema.type === 'set') out.uniqueItems = true;
      break;
    case 'map':
      Object.assign(out, { type: 'object', additionalProperties: toJsonSchema(schema.values ?? { type: 'json' }) });
      break;
    case 'record':
      Object.assign(out, objectSchema(schema.fields ?? {}));
      break;
    case 'foreign':
      Object.assign(out, { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } });
      break;
    case 'json':
      break;
  }
  return out;
}

function objectSchema(fields: FieldMap): JsonSchema {
  const properties = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, toJsonSchema(f)]));
  const required = Object.entries(fields)
    .filter(([, f]) => f.required && f.default === undefined)
    .map(([name]) => name);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

const ERROR = { $ref: '#/components/responses/Error' };
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
  description: 'Retried with the same body within 24 h, the first 2xx answer is sent again (Idempotent-Replayed: true) and nothing is created twice; with another body, 422; while the first runs, 409',
};
const ref = (def: EntityDefinition) => ({ $ref: `#/components/schemas/${def.name}` });
const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });

function collectionPaths(def: EntityDefinition, base: string): Record<string, unknown> {
  const key = { name: 'key', in: 'path', required: true, schema: { type: 'string' }, description: `id${def.endpointKey ? ` or ${def.endpointKey}` : ''}` };
  const page = { type: 'object', properties: { data: { type: 'array', items: ref(def) }, offset: { type: 'string' }, next: { type: ['string', 'null'] } } };
  const body = { required: true, ...json(ref(def)) };
  return {
    [base]: {
      get: { summary: `List ${def.name}`, parameters: [{ name: 'size', in: 'query', schema: { type: 'integer' } }, { name: 'offset', in: 'query', schema: { type: 'string' } }, { name: 'tags', in: 'query', schema: { type: 'string' } }], responses: { 200: json(page), 400: ERROR } },
      post: { summary: `Create a ${def.name} entity`, parameters: [IDEMPOTENCY_KEY], requestBody: body, responses: { 201: json(ref(def)), 400: ERROR, 409: ERROR, 422: ERROR } },
    },
    [`${base}/{key}`]: {
      parameters: [key],
      get: { responses: { 200: json(ref(def)), 404: ERROR } },
      put: { summary: 'Create or replace', requestBody: body, responses: { 200: json(ref(def)), 400: ERROR } },
      patch: { summary: 'Update', requestBody: body, responses: { 200: json(ref(def)), 400: ERROR, 404: ERROR } },
      delete: { responses: { 204: { description: 'Deleted' }, 400: ERROR } },
    },
  };
}

/** `GET /analytics/usage`: its query parameters (checked by analytics/usage-query.ts). */
function usageAnalyticsPath(): Record<string, unknown> {
  const query = (name: string, description: string, schema: JsonSchema = { type: 'string' }) => ({ name, in: 'query', description, schema });
  return {
    get: {
      summary: 'Usage rollups: requests, errors, bytes and latency quantiles per bucket and group',
      parameters: [
        query('from', 'ISO 8601 time with a zone, or epoch seconds (inclusive, rounded down to the bucket)'),
        query('to', 'ISO 8601 time with a zone, or epoch seconds (exclusive)'),
        query('granularity', 'bucket size', { type: 'string', enum: ['minute', 'hour', 'day'], default: 'hour' }),
        query('group_by', 'comma-separated: service, route, consumer, region, node, status_class'),
        ...['service', 'route', 'consumer'].map((f) => query(f, `filter: ${f} id or name`)),
        ...['region', 'node', 'status_class'].map((f) => query(f, `filter: ${f}`)),
        query('order_by', 'descending', { type: 'string', enum: ['requests', 'errors'] }),
        query('top', 'only the N leading groups', { type: 'integer', minimum: 1, maximum: 1000 }),
        query('size', 'page size', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
        query('offset', 'opaque offset from the previous page'),
        query('format', 'response format', { type: 'string', enum: ['json', 'csv'], default: 'json' }),
      ],
      responses: { 200: { description: 'A page of usage rows (JSON) or CSV' }, 400: ERROR },
    },
  };
}

/** The admin API's OpenAPI 3.1 document, generated from the same entity schemas that validate. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const def of ADMIN_ENTITIES) {
    if (def.topLevel) Object.assign(paths, collectionPaths(def, `/${def.adminPath}`));
    for (const [, schema] of Object.entries(def.fields)) {
      if (schema.type !== 'foreign' || schema.nested === false) continue;
      const parent = findAdminEntity(schema.reference!)!;
      Object.assign(paths, collectionPaths(def, `/${parent.adminPath}/{parent}/${def.nestedPath}`));
    }
  }
  paths['/apis'] = { post: { summary: 'Kong 0.x legacy API (a service and a route)', responses: { 201: { description: 'Created' }, 400: ERROR } }, get: { responses: { 200: { description: 'Page of apis' } } } };
  for (const path of ['/', '/status', '/plugins/enabled', '/schemas/{entity}', '/schemas/plugins/{name}', '/tags/{tag}', '/clustering/data-planes', '/config']) {
    paths[path] = { get: { responses: { 200: { description: 'OK' } } } };
  }
  paths['/analytics/usage'] = usageAnalyticsPath();
  paths['/metrics'] = { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text format' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Tollgate admin API', version: TOLLGATE_VERSION, description: "Kong-compatible admin API of Tollgate's control plane" },
    paths,
    components: {
      schemas: Object.fromEntries(ADMIN_ENTITIES.map((def) => [def.name, objectSchema(def.fields)])),
      responses: {
        Error: json({
          type: 'object',
          properties: { code: { type: 'integer' }, name: { type: 'string' }, message: { type: 'string' }, fields: { type: 'object' } },
        }),
      },
    },
  };
}

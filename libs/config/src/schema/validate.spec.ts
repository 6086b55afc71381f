import type { FieldMap } from './field';
import { describeErrors, validateRecord } from './validate';

const fields: FieldMap = {
  name: { type: 'string', required: true, len_max: 5 },
  port: { type: 'integer', default: 80, between: [0, 65535] },
  enabled: { type: 'boolean', default: true },
  methods: { type: 'set', elements: { type: 'string', one_of: ['GET', 'POST'] }, nullable: true },
  limits: {
    type: 'record',
    fields: { minute: { type: 'number', nullable: true, gt: 0 }, policy: { type: 'string', default: 'local' } },
  },
  headers: { type: 'map', nullable: true, values: { type: 'array', elements: { type: 'string' } } },
  service: { type: 'foreign', reference: 'services', nullable: true },
};

describe('validateRecord', () => {
  it('fills defaults, nested record defaults included, and nulls the rest', () => {
    const { value, errors } = validateRecord(fields, { name: 'a' });
    expect(errors).toBeNull();
    expect(value).toEqual({ name: 'a', port: 80, enabled: true, methods: null, limits: { minute: null, policy: 'local' }, headers: null, service: null });
  });

  it('reports every problem at once, keyed like the input', () => {
    const { errors } = validateRecord(fields, { name: 'toolong', port: 70000, enabled: 'yes', methods: ['PUT'], extra: 1, limits: { minute: 0 } });
    expect(errors).toEqual({
      name: 'length must be at most 5',
      port: 'value should be between 0 and 65535',
      enabled: 'expected a boolean',
      methods: ['expected one of: GET, POST'],
      extra: 'unknown field',
      limits: { minute: 'value must be greater than 0' },
    });
  });

  it('reports a missing required field', () => {
    expect(validateRecord(fields, {}).errors).toEqual({ name: 'required field missing' });
  });

  it('coerces form strings by the schema only when asked', () => {
    const form = { name: 'a', port: '8080', enabled: 'false', methods: 'GET', limits: { minute: '5' } };
    const coerced = validateRecord(fields, form, { coerce: true });
    expect(coerced.errors).toBeNull();
    expect(coerced.value).toMatchObject({ port: 8080, enabled: false, methods: ['GET'], limits: { minute: 5 } });
    expect(validateRecord(fields, form).errors).toMatchObject({ port: 'expected an integer', enabled: 'expected a boolean' });
  });

  it('rejects non-integers, NaN strings and unsafe integers', () => {
    expect(validateRecord(fields, { name: 'a', port: 1.5 }).errors).toEqual({ port: 'expected an integer' });
    expect(validateRecord(fields, { name: 'a', port: 'x' }, { coerce: true }).errors).toEqual({ port: 'expected an integer' });
  });

  it('deduplicates sets and keeps arrays as given', () => {
    expect(validateRecord(fields, { name: 'a', methods: ['GET', 'GET'] }).value.methods).toEqual(['GET']);
  });

  it('accepts foreign keys as {id}, {name} or a bare string, and rejects bad ids', () => {
    const id = '6f1c8a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f';
    expect(validateRecord(fields, { name: 'a', service: { id } }).value.service).toEqual({ id });
    expect(validateRecord(fields, { name: 'a', service: 'svc' }).value.service).toEqual({ name: 'svc' });
    expect(validateRecord(fields, { name: 'a', service: { id: 'nope' } }).errors).toEqual({ service: { id: 'expected a valid UUID' } });
  });

  it('rejects a record that is not an object', () => {
    expect(validateRecord(fields, { name: 'a', limits: [1] }).errors).toEqual({ limits: { '@entity': ['expected a record'] } });
    expect(validateRecord(fields, 'str').errors).toEqual({ '@entity': ['expected a record'] });
  });
});

describe('entity checks', () => {
  const checked: FieldMap = {
    a: { type: 'string', nullable: true },
    b: { type: 'string', nullable: true },
    policy: { type: 'string', default: 'local' },
    host: { type: 'string', nullable: true },
  };

  it('at_least_one_of', () => {
    expect(validateRecord(checked, {}, {}, [{ at_least_one_of: ['a', 'b'] }]).errors).toEqual({
      '@entity': ["at least one of these fields must be non-empty: 'a', 'b'"],
    });
    expect(validateRecord(checked, { b: 'x' }, {}, [{ at_least_one_of: ['a', 'b'] }]).errors).toBeNull();
  });

  it('only_one_of, mutually_exclusive and mutually_required', () => {
    expect(validateRecord(checked, { a: 'x', b: 'y' }, {}, [{ only_one_of: ['a', 'b'] }]).errors?.['@entity']).toHaveLength(1);
    expect(validateRecord(checked, { a: 'x', b: 'y' }, {}, [{ mutually_exclusive: ['a', 'b'] }]).errors?.['@entity']).toHaveLength(1);
    expect(validateRecord(checked, { a: 'x' }, {}, [{ mutually_required: ['a', 'b'] }]).errors?.['@entity']).toHaveLength(1);
    expect(validateRecord(checked, {}, {}, [{ mutually_required: ['a', 'b'] }]).errors).toBeNull();
  });

  it('conditional', () => {
    const check = { conditional: { if_field: 'policy', if_match: { eq: 'redis' }, then_field: 'host', then_match: { required: true } } };
    expect(validateRecord(checked, { policy: 'redis' }, {}, [check]).errors).toEqual({
      '@entity': ["failed conditional validation given value of field 'policy': host: required field missing"],
    });
    expect(validateRecord(checked, { policy: 'redis', host: 'r' }, {}, [check]).errors).toBeNull();
    expect(validateRecord(checked, {}, {}, [check]).errors).toBeNull();
  });
});

describe('describeErrors', () => {
  it("reads like Kong's schema violation message", () => {
    expect(describeErrors({ name: 'expected a string' })).toBe('schema violation (name: expected a string)');
    expect(describeErrors({ a: 'x', config: { minute: 'y' } })).toBe('2 schema violations (a: x; config.minute: y)');
  });
});

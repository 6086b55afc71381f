import { validatePluginConfig } from '../validate-plugin-config';
import { parseB3, parseTraceparent, sampledByRate } from './trace-context';

// Kong spec/03-plugins/37-opentelemetry/02-schema_spec.lua and 07-utils_spec.lua, translated.
describe('opentelemetry schema', () => {
  it('fills Kong\'s defaults (a batch of 200 spans)', () => {
    const { value, errors } = validatePluginConfig('opentelemetry', { traces_endpoint: 'http://collector:4318/v1/traces' });
    expect(errors).toBeNull();
    expect(value).toMatchObject({ header_type: 'preserve', connect_timeout: 1000, send_timeout: 5000, read_timeout: 5000, sampling_rate: null, queue: { max_batch_size: 200 } });
  });

  it('needs an endpoint, accepts Kong 3.x\'s `endpoint` name, and refuses unknown fields', () => {
    expect(validatePluginConfig('opentelemetry', {}).errors).toEqual({ config: { '@entity': ["at least one of these fields must be non-empty: 'traces_endpoint', 'endpoint'"] } });
    expect(validatePluginConfig('opentelemetry', { endpoint: 'http://collector:4318/v1/traces' }).errors).toBeNull();
    expect(validatePluginConfig('opentelemetry', { endpoint: 'http://c/v1/traces', propagation: {} }).errors).toEqual({ config: { propagation: 'unknown field' } });
  });

  it('refuses header types it cannot write, and sampling rates outside 0..1', () => {
    expect(validatePluginConfig('opentelemetry', { endpoint: 'http://c/v1/traces', header_type: 'jaeger' }).errors).toEqual({
      config: { header_type: 'expected one of: preserve, ignore, w3c, b3, b3-single' },
    });
    expect(validatePluginConfig('opentelemetry', { endpoint: 'http://c/v1/traces', sampling_rate: 1.5 }).errors).toEqual({ config: { sampling_rate: 'value should be between 0 and 1' } });
  });
});

describe('trace context headers', () => {
  it('reads W3C traceparent and refuses malformed or all-zero ids', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      sampled: true,
      format: 'w3c',
    });
    for (const bad of ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`, 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'garbage']) {
      expect(parseTraceparent(bad)).toBeNull();
    }
  });

  it('reads B3 multi and single headers, padding 64-bit trace ids', () => {
    const headers: Record<string, string> = { 'x-b3-traceid': '64fe8b2a57d3eff7', 'x-b3-spanid': 'e457b5a2e4d86bd1', 'x-b3-sampled': '0' };
    expect(parseB3((n) => headers[n])).toEqual({ traceId: '000000000000000064fe8b2a57d3eff7', parentSpanId: 'e457b5a2e4d86bd1', sampled: false, format: 'b3' });
    const single: Record<string, string> = { b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d-05e3ac9a4f6e3b90' };
    expect(parseB3((n) => single[n])).toMatchObject({ traceId: '80f198ee56343ba864fe8b2a57d3eff7', parentSpanId: 'e457b5a2e4d86bd1', sampled: true, format: 'b3-single' });
  });

  it('samples by trace id: all at 1, none at 0, about the rate in between', () => {
    expect(sampledByRate('ffffffff000000000000000000000000', 1)).toBe(true);
    expect(sampledByRate('00000000000000000000000000000000', 0)).toBe(false);
    expect(sampledByRate('40000000000000000000000000000000', 0.5)).toBe(true);
    expect(sampledByRate('c0000000000000000000000000000000', 0.5)).toBe(false);
  });
});

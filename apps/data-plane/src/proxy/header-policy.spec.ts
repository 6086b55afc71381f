import { readHeaderPolicy } from './header-policy';

// Kong's conf_loader rules for `headers` / `headers_upstream`, as exercised by
// spec/02-integration/05-proxy/14-server_tokens_spec.lua and 33-request-id-header_spec.lua.
describe('readHeaderPolicy', () => {
  it("defaults to Kong's: server_tokens, latency_tokens, X-Kong-Request-Id; X-Kong-Request-Id upstream", () => {
    expect(readHeaderPolicy()).toEqual({
      server: true,
      via: true,
      upstreamLatency: true,
      proxyLatency: true,
      responseLatency: true,
      requestId: true,
      upstreamStatus: false,
      tollgateUpstreamLatency: false,
      tollgateProxyLatency: false,
      upstreamRequestId: true,
      trusted: null,
    });
  });

  it('expands the server_tokens and latency_tokens groups, and takes single header names', () => {
    expect(readHeaderPolicy('server_tokens')).toMatchObject({ server: true, via: true, upstreamLatency: false, requestId: false });
    expect(readHeaderPolicy('Via')).toMatchObject({ server: false, via: true });
    expect(readHeaderPolicy('latency_tokens')).toMatchObject({ server: false, upstreamLatency: true, proxyLatency: true, responseLatency: true });
    expect(readHeaderPolicy('X-Kong-Upstream-Latency')).toMatchObject({ upstreamLatency: true, proxyLatency: false, responseLatency: false });
  });

  // 14-server_tokens_spec.lua: "are case insensitive"
  it('reads tokens case-insensitively', () => {
    expect(readHeaderPolicy('serVer_TokEns, x-kOng-pRoXy-lAtency')).toMatchObject({ server: true, via: true, proxyLatency: true, upstreamLatency: false });
  });

  // 14-server_tokens_spec.lua: "(with headers='server_tokens, off, X-Kong-Proxy-Latency')": 'off' will not take effect
  it('turns everything off only when off comes first', () => {
    expect(Object.values(readHeaderPolicy('off', 'off')).some(Boolean)).toBe(false);
    expect(readHeaderPolicy('server_tokens, off, X-Kong-Proxy-Latency')).toMatchObject({ server: true, via: true, proxyLatency: true, responseLatency: false });
  });

  // 15-upstream-status-header_spec.lua: headers = "server_tokens,latency_tokens,x-kong-upstream-status"
  it('takes X-Kong-Upstream-Status, which is off by default', () => {
    expect(readHeaderPolicy('server_tokens,latency_tokens,x-kong-upstream-status')).toMatchObject({ upstreamStatus: true, server: true, proxyLatency: true });
  });

  it("keeps Tollgate's latency header names as aliases to ask for", () => {
    expect(readHeaderPolicy('X-Tollgate-Upstream-Latency, X-Tollgate-Proxy-Latency')).toMatchObject({
      upstreamLatency: false,
      tollgateUpstreamLatency: true,
      tollgateProxyLatency: true,
    });
  });

  it("refuses unknown tokens, naming the variable and the token, as Kong's conf_loader does", () => {
    expect(() => readHeaderPolicy('server_tokens, X-Foo')).toThrow("TOLLGATE_HEADERS: invalid entry 'X-Foo'");
    expect(() => readHeaderPolicy(undefined, 'Via')).toThrow("TOLLGATE_HEADERS_UPSTREAM: invalid entry 'Via'");
  });
});

import {
  asksForTrailers,
  classifyRequestHeader,
  classifyResponseHeader,
  connectionTokens,
  equalsLower,
  HEADER_DROP,
  HEADER_HOST,
  HEADER_PASS,
  HEADER_REQUEST_ID,
  HEADER_TE,
  HEADER_VIA,
  HEADER_X_FORWARDED_FOR,
  RESPONSE_CONNECTION,
  RESPONSE_DROP,
  RESPONSE_PASS,
  RESPONSE_SERVER,
  RESPONSE_TRAILER,
  RESPONSE_VIA,
} from './header-names';
import { hostWithoutPort } from './upstream-headers';

describe('header names', () => {
  it('compares case-insensitively without allocating', () => {
    expect(equalsLower('Content-Length', 'content-length')).toBe(true);
    expect(equalsLower('CONNECTION', 'connection')).toBe(true);
    expect(equalsLower('Connectiom', 'connection')).toBe(false);
    expect(equalsLower('X_Real_Ip', 'x-real-ip')).toBe(false);
  });

  it("drops hop-by-hop request headers and those the proxy sets itself, per Kong's list", () => {
    for (const name of ['Connection', 'Keep-Alive', 'Trailer', 'Transfer-Encoding', 'Upgrade', 'Proxy', 'Proxy-Connection', 'Expect', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Path', 'X-Forwarded-Prefix', 'X-Real-IP']) {
      expect([name, classifyRequestHeader(name)]).toEqual([name, HEADER_DROP]);
    }
    expect(classifyRequestHeader('Host')).toBe(HEADER_HOST);
    expect(classifyRequestHeader('X-Forwarded-For')).toBe(HEADER_X_FORWARDED_FOR);
    expect(classifyRequestHeader('via')).toBe(HEADER_VIA);
    expect(classifyRequestHeader('TE')).toBe(HEADER_TE);
    expect(classifyRequestHeader('X-Kong-Request-Id')).toBe(HEADER_REQUEST_ID);
    for (const name of ['Content-Length', 'Content-Type', 'Authorization', 'User-Agent', 'Accept', 'Proxy-Authorization', 'Proxy-Authenticate', 'Close']) {
      expect([name, classifyRequestHeader(name)]).toEqual([name, HEADER_PASS]);
    }
  });

  it('classifies response headers: hop-by-hop dropped, Trailer and Connection looked at, Via and Server noted', () => {
    for (const name of ['keep-alive', 'Transfer-Encoding', 'Upgrade', 'TE']) expect(classifyResponseHeader(name)).toBe(RESPONSE_DROP);
    expect(classifyResponseHeader('Connection')).toBe(RESPONSE_CONNECTION);
    expect(classifyResponseHeader('Trailer')).toBe(RESPONSE_TRAILER);
    expect(classifyResponseHeader('VIA')).toBe(RESPONSE_VIA);
    expect(classifyResponseHeader('server')).toBe(RESPONSE_SERVER);
    for (const name of ['Content-Length', 'Set-Cookie', 'Proxy-Authenticate', 'Proxy']) expect(classifyResponseHeader(name)).toBe(RESPONSE_PASS);
  });

  it('finds the trailers token in TE', () => {
    expect(asksForTrailers('trailers')).toBe(true);
    expect(asksForTrailers('deflate;q=0.5, Trailers')).toBe(true);
    expect(asksForTrailers('trailers;q=1')).toBe(true);
    expect(asksForTrailers('deflate, gzip')).toBe(false);
  });

  it('reads extra hop-by-hop names from Connection, but builds nothing for the usual values', () => {
    expect(connectionTokens('keep-alive')).toBeNull();
    expect(connectionTokens('Close')).toBeNull();
    expect(connectionTokens('Upgrade, keep-alive')).toBeNull();
    expect(connectionTokens(undefined)).toBeNull();
    expect(connectionTokens('keep-alive, X-Secret ,x-other')).toEqual(new Set(['x-secret', 'x-other']));
  });

  it('strips the port from a Host header, IPv6 included', () => {
    expect(hostWithoutPort('api.test:8000')).toBe('api.test');
    expect(hostWithoutPort('api.test')).toBe('api.test');
    expect(hostWithoutPort('[::1]:8000')).toBe('[::1]');
    expect(hostWithoutPort('[::1]')).toBe('[::1]');
  });
});

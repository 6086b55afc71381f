import {
  classifyRequestHeader,
  connectionTokens,
  equalsLower,
  HEADER_DROP,
  HEADER_HOST,
  HEADER_PASS,
  HEADER_VIA,
  HEADER_X_FORWARDED_FOR,
  isHopByHopResponseHeader,
} from './header-names';
import { hostWithoutPort } from './upstream-headers';

describe('header names', () => {
  it('compares case-insensitively without allocating', () => {
    expect(equalsLower('Content-Length', 'content-length')).toBe(true);
    expect(equalsLower('CONNECTION', 'connection')).toBe(true);
    expect(equalsLower('Connectiom', 'connection')).toBe(false);
    expect(equalsLower('X_Real_Ip', 'x-real-ip')).toBe(false);
  });

  it('drops hop-by-hop request headers and those the proxy sets itself', () => {
    for (const name of ['Connection', 'Keep-Alive', 'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade', 'Proxy-Authorization', 'Proxy-Connection', 'Expect', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Path', 'X-Real-IP']) {
      expect([name, classifyRequestHeader(name)]).toEqual([name, HEADER_DROP]);
    }
    expect(classifyRequestHeader('Host')).toBe(HEADER_HOST);
    expect(classifyRequestHeader('X-Forwarded-For')).toBe(HEADER_X_FORWARDED_FOR);
    expect(classifyRequestHeader('via')).toBe(HEADER_VIA);
    for (const name of ['Content-Length', 'Content-Type', 'Authorization', 'User-Agent', 'X-Forwarded-Prefix', 'Accept']) {
      expect([name, classifyRequestHeader(name)]).toEqual([name, HEADER_PASS]);
    }
  });

  it('drops hop-by-hop response headers only', () => {
    expect(['Connection', 'keep-alive', 'Transfer-Encoding', 'Proxy-Authenticate', 'Upgrade', 'Trailer'].every(isHopByHopResponseHeader)).toBe(true);
    expect(['Content-Length', 'Set-Cookie', 'Server', 'Via', 'Proxy'].some(isHopByHopResponseHeader)).toBe(false);
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

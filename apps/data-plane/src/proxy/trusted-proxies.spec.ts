import { readTrustedProxies } from './trusted-proxies';

// Kong's trusted_ips / real_ip_header / real_ip_recursive, as nginx's realip module applies them.
describe('readTrustedProxies', () => {
  it('is null when nothing is trusted (Kong: no trusted_ips)', () => {
    expect(readTrustedProxies(undefined, undefined, undefined)).toBeNull();
    expect(readTrustedProxies(' , ', 'X-Real-IP', 'off')).toBeNull();
  });

  it('trusts addresses and CIDR ranges, IPv4-mapped IPv6 peers included', () => {
    const trust = readTrustedProxies('10.0.0.0/8, 192.168.0.1, ::1', undefined, undefined)!;
    expect(['10.1.2.3', '192.168.0.1', '::1', '::ffff:10.9.9.9'].map((ip) => trust.has(ip))).toEqual([true, true, true, true]);
    expect(['11.0.0.1', '192.168.0.2', '::2'].map((ip) => trust.has(ip))).toEqual([false, false, false]);
  });

  it('takes the client address from X-Real-IP, or the last X-Forwarded-For entry, or recursively the last untrusted one', () => {
    const real = readTrustedProxies('127.0.0.1', undefined, undefined)!;
    expect(real.clientAddress({ 'x-real-ip': '10.0.0.1' }, '127.0.0.1')).toBe('10.0.0.1');
    expect(real.clientAddress({}, '127.0.0.1')).toBe('127.0.0.1');
    expect(real.clientAddress({ 'x-real-ip': 'not an ip' }, '127.0.0.1')).toBe('127.0.0.1');
    const last = readTrustedProxies('127.0.0.1,172.16.0.1', 'X-Forwarded-For', 'off')!;
    expect(last.clientAddress({ 'x-forwarded-for': '10.0.0.1, 172.16.0.1' }, '127.0.0.1')).toBe('172.16.0.1');
    const recursive = readTrustedProxies('127.0.0.1,172.16.0.1,192.168.0.1', 'X-Forwarded-For', 'on')!;
    expect(recursive.clientAddress({ 'x-forwarded-for': '127.0.0.1:14, 10.0.0.1:15, 192.168.0.1:16, 127.0.0.1:17, 172.16.0.1:18' }, '127.0.0.1')).toBe('10.0.0.1');
  });

  it('refuses what it cannot honour, naming the variable', () => {
    expect(() => readTrustedProxies('10.0.0.0/33', undefined, undefined)).toThrow("TOLLGATE_TRUSTED_IPS: invalid ip or cidr range '10.0.0.0/33'");
    expect(() => readTrustedProxies('example.com', undefined, undefined)).toThrow('TOLLGATE_TRUSTED_IPS');
    expect(() => readTrustedProxies('10.0.0.1', 'proxy_protocol', undefined)).toThrow('TOLLGATE_REAL_IP_HEADER');
    expect(() => readTrustedProxies('10.0.0.1', undefined, 'yes')).toThrow("TOLLGATE_REAL_IP_RECURSIVE: expected on or off, got 'yes'");
  });
});

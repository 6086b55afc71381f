import { IpMatcher } from './ip-matcher';

/** Kong's spec/03-plugins/17-ip-restriction/02-access_spec.lua matches client addresses it takes from X-Forwarded-For; here the address is given directly. */
describe('IpMatcher', () => {
  it('matches IPv4 addresses and CIDR ranges ("blocks IP with CIDR", "handles a CIDR entry with 0.0.0.0/0")', () => {
    const m = new IpMatcher(['127.0.0.1', '10.0.0.0/8', '192.168.1.0/24']);
    expect(['127.0.0.1', '10.1.2.3', '192.168.1.255'].map((ip) => m.matches(ip))).toEqual([true, true, true]);
    expect(['127.0.0.2', '11.0.0.1', '192.168.2.1'].map((ip) => m.matches(ip))).toEqual([false, false, false]);
    expect(new IpMatcher(['0.0.0.0/0']).matches('203.0.113.9')).toBe(true);
    expect(new IpMatcher(['1.2.3.4/32']).matches('1.2.3.5')).toBe(false);
  });

  it('matches IPv4-mapped IPv6 peers as IPv4', () => {
    expect(new IpMatcher(['127.0.0.0/8']).matches('::ffff:127.0.0.1')).toBe(true);
  });

  it('matches IPv6 addresses and ranges ("blocks the IPv6 with CIDR", "handles a CIDR entry with ::/0")', () => {
    const m = new IpMatcher(['::1', 'fe80::/8', '2001:db8::/32', '2001:db8:1:2:3:4:5:6/127']);
    expect(['::1', 'fe80::abcd', '2001:db8:ffff::1', '2001:0db8:0000:0000:0000:0000:0000:0001'].map((ip) => m.matches(ip))).toEqual([true, true, true, true]);
    expect(['::2', '2001:db9::1', 'ff00::1'].map((ip) => m.matches(ip))).toEqual([false, false, false]);
    expect(new IpMatcher(['::/0']).matches('2001:db8::5')).toBe(true);
    expect(new IpMatcher(['2001:db8:1:2:3:4:5:6/127']).matches('2001:db8:1:2:3:4:5:7')).toBe(true);
    expect(new IpMatcher(['2001:db8:1:2:3:4:5:6/128']).matches('2001:db8:1:2:3:4:5:7')).toBe(false);
  });

  it('never matches across families or malformed addresses', () => {
    const m = new IpMatcher(['0.0.0.0/0']);
    expect(m.matches('::1')).toBe(false);
    expect(new IpMatcher(['::/0']).matches('127.0.0.1')).toBe(false);
    const any6 = new IpMatcher(['::/0']);
    for (const bad of ['', '1.2.3', '1.2.3.256', '1::2::3', '12345::', '1:', 'x']) expect([bad, m.matches(bad), any6.matches(bad)]).toEqual([bad, false, false]);
  });
});

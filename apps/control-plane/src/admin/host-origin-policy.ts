import { isIP } from 'node:net';

/**
 * Which `Host` names and `Origin`s the admin API answers, so that a page in the operator's
 * browser cannot drive it: not by DNS rebinding (a foreign name resolving to loopback: its Host
 * is that name), not by a cross-site form or fetch (its Origin is that site's).
 */
export interface HostOriginPolicy {
  /** Host names (no port), lower case: loopback names, the listen address, TOLLGATE_ADMIN_HOSTS. */
  readonly hosts: ReadonlySet<string>;
  /** `scheme://host[:port]` origins allowed to write besides the admin API's own. */
  readonly origins: ReadonlySet<string>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::']);
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?)*$/;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `TOLLGATE_ADMIN_HOSTS`: names (or IP addresses) this admin API is reached by, comma-separated. */
export function parseAdminHosts(value: string | undefined): string[] {
  return list(value).map((item) => {
    const host = item.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
    if (!HOST_NAME.test(host) && isIP(host) === 0) {
      throw new Error(`TOLLGATE_ADMIN_HOSTS: expected host names without scheme or port (for example admin.internal), got '${item}'`);
    }
    return host;
  });
}

/** `TOLLGATE_ADMIN_ALLOW_ORIGINS`: origins of pages (a dashboard served elsewhere) allowed to write. */
export function parseAllowedOrigins(value: string | undefined): string[] {
  return list(value).map((item) => {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== item.replace(/\/$/, '').toLowerCase()) {
      throw new Error(`TOLLGATE_ADMIN_ALLOW_ORIGINS: expected origins like https://dashboard.example.com (scheme, host, optional port, no path), got '${item}'`);
    }
    return url.origin;
  });
}

export function hostOriginPolicy(listenHost: string, adminHosts: readonly string[] = [], allowOrigins: readonly string[] = []): HostOriginPolicy {
  const hosts = new Set([...LOOPBACK_NAMES, ...adminHosts]);
  if (!WILDCARD_ADDRESSES.has(listenHost)) hosts.add(listenHost.toLowerCase());
  return { hosts, origins: new Set(allowOrigins) };
}

/** The name part of a Host header: `[::1]:8001` is `::1`, `Admin.Example.:8001` is `admin.example`. */
export function hostName(header: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(header);
  const name = bracketed ? bracketed[1]! : header.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * An IP-literal Host naming the address the connection arrived on is the listen address, even
 * when listening on 0.0.0.0 (a Kubernetes probe sends the pod IP); a rebinding page sends a name.
 */
export function isOwnHost(policy: HostOriginPolicy, header: string, localAddress: string | undefined): boolean {
  const name = hostName(header);
  if (policy.hosts.has(name)) return true;
  return isIP(name) !== 0 && localAddress !== undefined && name === localAddress.replace(/^::ffff:/, '');
}

/** A write's Origin is allowed when it is the admin API itself (same host and port) or listed. */
export function isAllowedOrigin(policy: HostOriginPolicy, origin: string, hostHeader: string): boolean {
  if (policy.origins.has(origin.toLowerCase())) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (a sandboxed frame, a file: page) and anything unparsable
  }
  return /^https?:$/.test(url.protocol) && url.host === hostHeader.toLowerCase();
}

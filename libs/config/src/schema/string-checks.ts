import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import type { StringCheck } from './field';
import { translatePcre } from './pcre-regex';

/** Each check returns null when the value is fine, else the message an admin sees. */
type Check = (value: string) => string | null;

const LABEL = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/i;
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;
const PATH_CHARS = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const TAG = /^[^\s,/]([^,/]*[^\s,/])?$/;

function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  return value.split('.').every((label) => LABEL.test(label));
}

function isHost(value: string): boolean {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return isIP(bare) !== 0 || isHostname(value);
}

/** Splits `host:port`, `[v6]:port` or a bare host; port is undefined when absent. */
export function splitHostPort(value: string): { host: string; port?: number } | null {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (v6) return { host: `[${v6[1]}]`, port: v6[2] === undefined ? undefined : Number(v6[2]) };
  if (isIP(value) === 6) return { host: `[${value}]` };
  const colon = value.lastIndexOf(':');
  if (colon === -1) return { host: value };
  const port = value.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port)) return null;
  return { host: value.slice(0, colon), port: Number(port) };
}

function checkHostWithPort(value: string, allowWildcard: boolean): string | null {
  const parts = splitHostPort(value);
  if (!parts) return 'invalid port number';
  if (parts.port !== undefined && (parts.port < 0 || parts.port > 65535)) return 'invalid port number';
  let host = parts.host;
  if (allowWildcard) {
    const stars = host.split('*').length - 1;
    if (stars > 1) return 'only one wildcard must be specified';
    if (stars === 1) {
      if (host.startsWith('*.')) host = host.slice(2);
      else if (host.endsWith('.*')) host = host.slice(0, -2);
      else return 'wildcard must be leftmost or rightmost character';
    }
  }
  return isHost(host) ? null : 'invalid hostname: ' + value;
}

function checkRegex(value: string): string | null {
  try {
    new RegExp(value);
    return null;
  } catch (err) {
    return `invalid regex: '${value}' (${(err as Error).message})`;
  }
}

/** A route regex as Kong users write it (PCRE or Rust syntax), translated the way the router will. */
function checkRouteRegex(value: string): string | null {
  try {
    const { source, flags } = translatePcre(value);
    new RegExp(source, flags);
    return null;
  } catch (err) {
    return `invalid regex: '${value}' (${(err as Error).message})`;
  }
}

/** Kong's transformers render `$(...)` as Lua templates; Tollgate runs no templates, so it says so. */
function checkColonPair(value: string): string | null {
  if (!/^[^:]+:.*$/s.test(value)) return `invalid value: ${value} (expected name:value)`;
  return value.includes('$(') ? `templates are not supported: ${value}` : null;
}

function checkCidr(value: string): string | null {
  const [ip, bits, extra] = value.split('/');
  if (extra !== undefined) return 'invalid cidr range: ' + value;
  const family = isIP(ip ?? '');
  if (family === 0) return 'invalid ip or cidr range: ' + value;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return 'invalid cidr range: ' + value;
  return null;
}

function checkUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'invalid url: ' + value;
  }
  if (!['http:', 'https:', 'grpc:', 'grpcs:', 'ws:', 'wss:', 'tcp:', 'tls:'].includes(url.protocol)) {
    return `unsupported protocol in url: '${url.protocol.slice(0, -1)}'`;
  }
  if (!url.hostname) return 'missing host in url';
  return null;
}

const checks: Record<StringCheck, Check> = {
  // Kong's utf8_name: any non-ASCII character (no lone surrogate: not UTF-8), and of ASCII only these.
  name: (v) => (/^[A-Za-z0-9.\-_~\u0080-\uD7FF\uE000-\u{10FFFF}]+$/u.test(v) ? null : `invalid value '${v}': the only accepted ascii characters are alphanumerics or ., -, _, and ~`),
  host: (v) => (isHost(v) ? null : 'invalid hostname: ' + v),
  host_with_optional_port: (v) => checkHostWithPort(v, false),
  wildcard_host: (v) => checkHostWithPort(v, true),
  sni: (v) => checkHostWithPort(v, true) && 'invalid SNI: ' + v,
  target: (v) => checkHostWithPort(v, false) && 'Invalid target (' + v + '); not a valid hostname or ip address',
  path: (v) => (PATH_CHARS.test(v) ? null : "should start with: / (fixed path) and contain only URL characters"),
  router_path: (v) => {
    if (v.startsWith('~')) return checkRouteRegex(v.slice(1));
    return PATH_CHARS.test(v) ? null : "should start with: / (fixed path) or ~/ (regex path)";
  },
  url: checkUrl,
  regex: checkRegex,
  asterisk_or_regex: (v) => (v === '*' || checkRegex(v) === null ? null : `'${v}' is not a valid regex`),
  colon_pair: checkColonPair,
  header_name: (v) => (TOKEN.test(v) ? null : 'bad header name: ' + v),
  http_method: (v) => (/^[A-Z]+$/.test(v) ? null : 'invalid value: ' + v),
  log_header_name: (v) => {
    if (!TOKEN.test(v)) return 'bad header name: ' + v;
    const lower = v.toLowerCase();
    return lower === 'host' || lower === 'content-length' || lower === 'content-type' ? `cannot contain '${v}' header` : null;
  },
  file_path: (v) => (/^[^\s*&%\\`][^*&%\\`]*[^\s*&%\\`]$/.test(v) ? null : 'not a valid filename'),
  lua_code: () => 'Lua code is not supported: Tollgate runs no Lua, so custom_fields_by_lua must be empty',
  cidr: checkCidr,
  ip_or_cidr: checkCidr,
  tag: (v) => (TAG.test(v) ? null : 'invalid tag: must be printable, without commas or slashes'),
  region: (v) => (/^[a-z0-9][a-z0-9-]{0,62}$/.test(v) ? null : 'invalid region name: ' + v),
  pem_certificate: (v) => {
    try {
      new X509Certificate(v);
      return null;
    } catch {
      return 'invalid certificate: could not parse PEM';
    }
  },
  pem_private_key: (v) => {
    try {
      createPrivateKey(v);
      return null;
    } catch {
      return 'invalid key: could not parse PEM';
    }
  },
};

export function runStringCheck(check: StringCheck, value: string): string | null {
  return checks[check](value);
}

/**
 * Kong's `url` shorthand on services: `http://example.com:8080/v1` sets protocol, host, port
 * and path at once. Returns the fields, or a message naming what is wrong.
 */
export function parseServiceUrl(url: unknown): { fields: Record<string, unknown> } | { error: string } {
  if (typeof url !== 'string') return { error: 'expected a string' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `invalid url: '${url}'` };
  }
  const protocol = parsed.protocol.slice(0, -1);
  const defaultPorts: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, grpc: 80, grpcs: 443 };
  if (!(protocol in defaultPorts) && protocol !== 'tcp' && protocol !== 'tls') {
    return { error: `unsupported protocol in url: '${protocol}'` };
  }
  if (!parsed.hostname) return { error: 'missing host in url' };
  const path = parsed.pathname === '' || (parsed.pathname === '/' && !url.replace(/^[a-z]+:\/\/[^/]*/i, '').startsWith('/')) ? null : parsed.pathname;
  return {
    fields: {
      protocol,
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : (defaultPorts[protocol] ?? 80),
      path,
    },
  };
}

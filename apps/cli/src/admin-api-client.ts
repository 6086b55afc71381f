import { ENTITY_COLLECTIONS, isPlainObject, type ConfigEntities } from '@tollgate/config';
import { CliError } from './command-runner';

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8001';
const TIMEOUT_MS = 30_000;
const SHOWN_BODY = 500;

/** Kong's error body: `{ code, name, message, fields }`. */
interface KongErrorBody {
  readonly code?: unknown;
  readonly name?: unknown;
  readonly message?: unknown;
  readonly fields?: unknown;
}

/** A request the admin API answered with an error status; the message carries its error body. */
export class AdminApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function describeErrorBody(status: number, text: string): string {
  let body: KongErrorBody | undefined;
  try {
    body = JSON.parse(text) as KongErrorBody;
  } catch {
    // Not JSON (a proxy's HTML page, say): shown as it came.
  }
  if (!isPlainObject(body) || typeof body.message !== 'string') {
    const shown = text.length > SHOWN_BODY ? `${text.slice(0, SHOWN_BODY)}...` : text;
    return `${status}${shown.trim() ? `: ${shown.trim()}` : ''}`;
  }
  const name = typeof body.name === 'string' ? ` ${body.name}` : '';
  const code = body.code !== undefined ? ` (code ${String(body.code)})` : '';
  const fields = isPlainObject(body.fields) && Object.keys(body.fields).length > 0 ? `\n  fields: ${JSON.stringify(body.fields)}` : '';
  return `${status}${name}${code}: ${body.message}${fields}`;
}

// Duck-typed: fetch's errors come from another realm under jest, where `instanceof Error` fails.
function describeNetworkError(err: unknown): string {
  const error = err as { name?: string; message?: string; cause?: { message?: string } } | undefined;
  if (error?.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
  return error?.cause?.message ?? error?.message ?? String(err);
}

/** The control plane's admin API as the CLI uses it: the declarative export, PUT and DELETE. */
export class AdminApiClient {
  readonly baseUrl: string;

  constructor(
    adminUrl: string,
    /** An admin token (`--token`, TOLLGATE_ADMIN_TOKEN), sent as `Authorization: Bearer`. */
    private readonly token?: string,
  ) {
    let url: URL;
    try {
      url = new URL(adminUrl);
    } catch {
      throw new CliError(`invalid admin API URL '${adminUrl}': expected something like ${DEFAULT_ADMIN_URL}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`invalid admin API URL '${adminUrl}': expected http:// or https://`);
    this.baseUrl = url.toString().replace(/\/+$/, '');
  }

  /** `GET /config`: every entity, foreign keys as `{id}` (write-only secrets such as passwords left out). */
  async exportConfig(): Promise<ConfigEntities> {
    const body = await this.request('GET', '/config');
    if (!isPlainObject(body) || !('_format_version' in body)) {
      throw new CliError(`GET ${this.baseUrl}/config did not return a declarative export: is ${this.baseUrl} a Tollgate admin API?`);
    }
    const entities: Record<string, unknown> = {};
    for (const collection of ENTITY_COLLECTIONS) {
      const list = body[collection] ?? [];
      if (!Array.isArray(list)) throw new CliError(`GET ${this.baseUrl}/config: '${collection}' is not a list`);
      entities[collection] = list;
    }
    return entities as unknown as ConfigEntities;
  }

  post(path: string, body: Record<string, unknown>): Promise<unknown> {
    return this.request('POST', path, body);
  }

  put(path: string, body: Record<string, unknown>): Promise<unknown> {
    return this.request('PUT', path, body);
  }

  async delete(path: string): Promise<void> {
    await this.request('DELETE', path);
  }

  private headers(withBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (withBody) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  private async request(method: string, path: string, body?: Record<string, unknown>): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new CliError(
        `cannot reach the admin API at ${this.baseUrl} (${describeNetworkError(err)}): is the control plane running? ` +
          'Point --admin-url or TOLLGATE_ADMIN_URL at it.',
      );
    }
    const text = await res.text();
    if (!res.ok) {
      const hint = res.status === 401 ? `\n  ${this.token ? 'the token was refused' : 'the admin API needs a token'}: pass --token or set TOLLGATE_ADMIN_TOKEN` : '';
      throw new AdminApiError(`${method} ${path} failed: ${describeErrorBody(res.status, text)}${hint}`, res.status);
    }
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new CliError(`${method} ${this.baseUrl}${path} answered ${res.status} with a body that is not JSON: is ${this.baseUrl} a Tollgate admin API?`);
    }
  }
}

/** A tiny admin-API client for tests: JSON in, `{status, body}` out. */
export interface AdminResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

export function adminClient(baseUrl: string) {
  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<AdminResponse<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>('POST', path, body),
    put: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>('PUT', path, body),
    patch: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>('PATCH', path, body),
    delete: (path: string) => call('DELETE', path),
  };
}

export type AdminClient = ReturnType<typeof adminClient>;

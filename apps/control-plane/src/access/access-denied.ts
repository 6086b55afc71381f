/**
 * A caller the admin API will not serve: 401 without a valid token, 403 for a role that may
 * not. Rendered as `{"message": ...}` (Kong's RBAC shape), never naming what exists.
 */
export class AccessDenied extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

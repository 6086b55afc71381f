import { randomBytes } from 'node:crypto';
import { admin, expectStatus, type TestControlPlane } from './admin-api';

/** A well-formed bootstrap secret, fresh per suite. */
export function bootstrapSecret(): string {
  return 'tgk_' + randomBytes(32).toString('base64url');
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Issues a token with `as` (an admin's secret) and returns the new secret. */
export async function issueToken(cp: TestControlPlane, as: string, body: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const res = await admin(cp).post('/admin-tokens').set(bearer(as)).send(body);
  expectStatus(res, 201);
  return { id: res.body.id, token: res.body.token };
}

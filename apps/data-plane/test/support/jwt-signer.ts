import { constants, createHmac, sign, type KeyObject } from 'node:crypto';

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a JWT as a client would: HS* with a secret, RS/PS/ES/EdDSA with a private key; any other alg unsigned. */
export function signJwt(alg: string, claims: Record<string, unknown>, key: string | Buffer | KeyObject, header: Record<string, unknown> = {}): string {
  const input = `${part({ typ: 'JWT', alg, ...header })}.${part(claims)}`;
  const hash = HASHES[alg.slice(2)] ?? null;
  let signature: Buffer;
  if (alg.startsWith('HS')) signature = createHmac(hash!, key as string | Buffer).update(input).digest();
  else if (alg.startsWith('RS')) signature = sign(hash, Buffer.from(input), key as KeyObject);
  else if (alg.startsWith('PS')) signature = sign(hash, Buffer.from(input), { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  else if (alg.startsWith('ES')) signature = sign(hash, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'EdDSA') signature = sign(null, Buffer.from(input), key as KeyObject);
  else signature = Buffer.alloc(0); // alg none, or one nobody supports
  return `${input}.${signature.toString('base64url')}`;
}

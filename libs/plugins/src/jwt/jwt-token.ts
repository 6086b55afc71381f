import { constants, createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** A token split and decoded, not yet verified. */
export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
  readonly alg: JwtAlgorithm;
}

/** What each algorithm hashes with; `kind` says how the signature is checked. */
const ALGORITHMS = {
  HS256: { kind: 'hmac', hash: 'sha256' },
  HS384: { kind: 'hmac', hash: 'sha384' },
  HS512: { kind: 'hmac', hash: 'sha512' },
  RS256: { kind: 'rsa', hash: 'sha256' },
  RS384: { kind: 'rsa', hash: 'sha384' },
  RS512: { kind: 'rsa', hash: 'sha512' },
  PS256: { kind: 'pss', hash: 'sha256' },
  PS384: { kind: 'pss', hash: 'sha384' },
  PS512: { kind: 'pss', hash: 'sha512' },
  // JOSE carries ECDSA signatures as r || s, each the curve's size.
  ES256: { kind: 'ecdsa', hash: 'sha256', bytes: 64 },
  ES384: { kind: 'ecdsa', hash: 'sha384', bytes: 96 },
  ES512: { kind: 'ecdsa', hash: 'sha512', bytes: 132 },
  EdDSA: { kind: 'eddsa', hash: null },
} as const;

export type JwtAlgorithm = keyof typeof ALGORITHMS;

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function decodePart(part: string | undefined): Buffer | null {
  if (part === undefined || !BASE64URL.test(part)) return null;
  return Buffer.from(part, 'base64url');
}

function parseJson(part: string | undefined): unknown {
  const bytes = decodePart(part);
  if (bytes === null) throw new SyntaxError('invalid base64url');
  return JSON.parse(bytes.toString('utf8'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes `header.claims.signature`, or says what is wrong as Kong's parser does ("invalid JSON", ...). */
export function decodeJwt(token: string): DecodedJwt | string {
  const parts = token.split('.');
  if (parts.length < 3) return 'invalid JSON';
  let header: unknown;
  let claims: unknown;
  try {
    header = parseJson(parts[0]);
    claims = parseJson(parts[1]);
  } catch {
    return 'invalid JSON';
  }
  if (!isRecord(header) || typeof header.alg !== 'string' || !Object.hasOwn(ALGORITHMS, header.alg)) return 'invalid alg';
  if (!isRecord(claims)) return 'invalid claims';
  const signature = parts.length === 3 ? decodePart(parts[2]) : null;
  if (signature === null) return 'invalid signature';
  return { header, claims, signature, signingInput: `${parts[0]}.${parts[1]}`, alg: header.alg as JwtAlgorithm };
}

export function isHmacAlgorithm(alg: string): boolean {
  return alg.startsWith('HS');
}

/** A PEM public key parsed once; null when it does not parse. */
export function publicKeyOf(pem: string): KeyObject | null {
  try {
    return createPublicKey(pem);
  } catch {
    return null;
  }
}

/** Checks the signature with an HMAC secret (HS*) or a public key (the others). */
export function verifySignature(jwt: DecodedJwt, key: Buffer | KeyObject): boolean {
  const spec = ALGORITHMS[jwt.alg];
  const data = Buffer.from(jwt.signingInput);
  try {
    switch (spec.kind) {
      case 'hmac': {
        const expected = createHmac(spec.hash, key).update(data).digest();
        return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
      }
      case 'rsa':
        return verify(spec.hash, data, key as KeyObject, jwt.signature);
      case 'pss':
        return verify(spec.hash, data, { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jwt.signature);
      case 'ecdsa':
        return jwt.signature.length === spec.bytes && verify(spec.hash, data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' }, jwt.signature);
      case 'eddsa':
        return verify(null, data, key as KeyObject, jwt.signature);
    }
  } catch {
    // A key of the wrong type for the algorithm (an EC key on RS256): not this key's signature.
    return false;
  }
}

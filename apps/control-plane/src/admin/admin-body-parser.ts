import Busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import qs from 'qs';
import { AdminError, AdminErrorCode } from './admin-error';
import { assertJsonDepth, assertUtf8, decodeFormComponent } from './body-checks';
import { cannotParseJson, KongMessage } from './kong-message';

export const MAX_BODY_BYTES = 1024 * 1024;

/** What the body parser leaves on the request: the parsed body, and whether it came as strings. */
export interface ParsedBody {
  body: Record<string, unknown>;
  /** Form and multipart bodies carry strings only: fields are coerced by their schema. */
  fromForm: boolean;
}

declare module 'express' {
  interface Request {
    adminBody?: ParsedBody;
  }
}

// Kong's form conventions: `config.minute=5` nests, `a[]=b` and repeated keys make arrays.
// Deeper keys are refused (strictDepth), not silently kept as one flat key.
const QS_OPTIONS: qs.IParseOptions = {
  allowDots: true,
  depth: 8,
  strictDepth: true,
  arrayLimit: 1000,
  parameterLimit: 20000,
  allowPrototypes: false,
  decoder: decodeFormComponent,
};

function parseForm(text: string): Record<string, unknown> {
  try {
    return qs.parse(text, QS_OPTIONS) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof AdminError) throw err;
    // qs says "Input depth exceeded depth option of 8 and strictDepth is true".
    throw new AdminError(AdminErrorCode.MALFORMED_BODY, `Cannot parse form body: keys nest deeper than ${QS_OPTIONS.depth} levels`);
  }
}

function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new AdminError(AdminErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${MAX_BODY_BYTES} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AdminError(AdminErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${MAX_BODY_BYTES} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(raw: string): Record<string, unknown> {
  assertJsonDepth(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw cannotParseJson();
  }
  // Kong takes any table; an array has no fields to read, so it is refused with the same words.
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw cannotParseJson();
  return parsed as Record<string, unknown>;
}

function parseMultipart(req: Request, raw: Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const pairs: string[] = [];
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({ headers: req.headers, limits: { fieldSize: MAX_BODY_BYTES, fields: 20000 } });
    } catch (err) {
      reject(new AdminError(AdminErrorCode.MALFORMED_BODY, `Cannot parse multipart body: ${(err as Error).message}`));
      return;
    }
    const add = (name: string, value: string) => pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
    busboy.on('field', (name, value) => add(name, value));
    // A file part (curl -F cert=@cert.pem) is the field's value.
    busboy.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => add(name, Buffer.concat(chunks).toString('utf8')));
    });
    busboy.on('error', (err: Error) => reject(new AdminError(AdminErrorCode.MALFORMED_BODY, `Cannot parse multipart body: ${err.message}`)));
    busboy.on('close', () => {
      try {
        resolve(parseForm(pairs.join('&')));
      } catch (err) {
        reject(err);
      }
    });
    busboy.end(raw);
  });
}

async function parse(req: Request): Promise<ParsedBody> {
  const raw = await readBody(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const json = type === 'application/json' || type.endsWith('+json');
  // Kong: a JSON write with no body is "Cannot parse JSON body"; a DELETE needs none.
  if (raw.length === 0) {
    if (json && req.method !== 'DELETE') throw cannotParseJson();
    return { body: {}, fromForm: false };
  }
  if (json || (type === '' && raw[0] === 0x7b)) {
    assertUtf8(raw, 'JSON body');
    return { body: parseJson(raw.toString('utf8')), fromForm: false };
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    assertUtf8(raw, 'form body');
    return { body: parseForm(raw.toString('utf8')), fromForm: true };
  }
  if (type === 'multipart/form-data') {
    // Every part is text (PEM certificates included): bytes that are not UTF-8 anywhere are refused.
    assertUtf8(raw, 'multipart body');
    return { body: await parseMultipart(req, raw), fromForm: true };
  }
  throw new AdminError(AdminErrorCode.UNSUPPORTED_MEDIA_TYPE, `Content-Type '${type}' is not supported: send JSON, form-urlencoded or multipart`);
}

/** Express middleware: bodies as JSON, form-urlencoded (Kong's `config.x=` / `a[]=`) or multipart, at most 1 MiB. */
export function adminBodyParser(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
    req.adminBody = { body: {}, fromForm: false };
    next();
    return;
  }
  parse(req).then(
    (parsed) => {
      req.adminBody = parsed;
      next();
    },
    (err: unknown) => {
      const error = err instanceof AdminError || err instanceof KongMessage ? err : new AdminError(AdminErrorCode.MALFORMED_BODY, 'Cannot read request body');
      res.setHeader('Connection', 'close');
      res.status(error.status).json(error.toBody());
    },
  );
}

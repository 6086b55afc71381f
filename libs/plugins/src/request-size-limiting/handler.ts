import { jsonResponse, type PluginHandler, type PluginResponse } from '../plugin-handler';
import { requestSizeLimitingSchema } from './schema';

export type SizeUnit = 'megabytes' | 'kilobytes' | 'bytes';

export interface RequestSizeLimitingConfig {
  readonly allowed_payload_size: number;
  readonly size_unit: SizeUnit;
  readonly require_content_length: boolean;
}

export interface PreparedRequestSizeLimiting {
  readonly maxBytes: number;
  readonly requireContentLength: boolean;
}

const UNIT_BYTES: Readonly<Record<SizeUnit, number>> = { bytes: 1, kilobytes: 1024, megabytes: 1024 * 1024 };
const TOO_LARGE = jsonResponse(413, 'Request size limit exceeded');
/** A client that asked `Expect: 100-continue` is told before it sends the body. */
const EXPECTATION_FAILED = jsonResponse(417, 'Request size limit exceeded');
const LENGTH_REQUIRED = jsonResponse(411, 'A valid Content-Length header is required');
const DIGITS = /^\d+$/;

function prepare(config: RequestSizeLimitingConfig): PreparedRequestSizeLimiting {
  return Object.freeze({
    maxBytes: config.allowed_payload_size * UNIT_BYTES[config.size_unit],
    requireContentLength: config.require_content_length,
  });
}

function tooLarge(expect: string | undefined): PluginResponse {
  return expect !== undefined && expect.trim().toLowerCase() === '100-continue' ? EXPECTATION_FAILED : TOO_LARGE;
}

export const requestSizeLimitingHandler: PluginHandler<RequestSizeLimitingConfig, PreparedRequestSizeLimiting> = {
  name: requestSizeLimitingSchema.name,
  version: requestSizeLimitingSchema.version,
  priority: requestSizeLimitingSchema.priority,
  prepare,
  access(ctx, conf) {
    const length = ctx.header('content-length');
    if (length !== undefined && DIGITS.test(length)) {
      if (Number(length) > conf.maxBytes) ctx.exit(tooLarge(ctx.header('expect')));
      return;
    }
    const chunked = ctx.header('transfer-encoding') !== undefined;
    if (conf.requireContentLength && !chunked) return ctx.exit(LENGTH_REQUIRED);
    // A chunked body is counted as it streams upstream, never buffered: one byte too many cuts it.
    if (chunked) ctx.limitRequestBody(conf.maxBytes, tooLarge(ctx.header('expect')));
  },
};

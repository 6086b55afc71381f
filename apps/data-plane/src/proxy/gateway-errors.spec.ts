import { GATEWAY_ERRORS, rawErrorResponse } from './gateway-errors';

describe('gateway errors', () => {
  it("carries Kong's statuses and bodies", () => {
    expect(GATEWAY_ERRORS.GW_ERR_NO_ROUTE.status).toBe(404);
    expect(JSON.parse(GATEWAY_ERRORS.GW_ERR_NO_ROUTE.body.toString())).toEqual({ message: 'no Route matched with those values' });
    expect(GATEWAY_ERRORS.GW_ERR_UPSTREAM_TIMEOUT).toMatchObject({ status: 504, message: 'The upstream server is timing out' });
    expect(GATEWAY_ERRORS.GW_ERR_NO_HEALTHY_TARGET).toMatchObject({ status: 503, message: 'failure to get a peer from the ring-balancer' });
    expect(GATEWAY_ERRORS.GW_ERR_HTTPS_REQUIRED).toMatchObject({ status: 426, message: 'Please use HTTPS protocol' });
  });

  it('states each body length once, matching the bytes', () => {
    for (const error of Object.values(GATEWAY_ERRORS)) {
      expect(error.contentLength).toBe(String(error.body.length));
      expect(Object.isFrozen(error)).toBe(true);
    }
  });

  it('encodes a raw response for sockets with no ServerResponse', () => {
    const raw = rawErrorResponse(GATEWAY_ERRORS.GW_ERR_HEADERS_TOO_LARGE, 'Request Header Fields Too Large').toString();
    expect(raw.startsWith('HTTP/1.1 431 Request Header Fields Too Large\r\n')).toBe(true);
    expect(raw.endsWith('\r\n\r\n{"message":"Request header fields too large"}')).toBe(true);
    expect(raw).toContain('Connection: close');
  });
});

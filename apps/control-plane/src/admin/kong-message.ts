/**
 * An error Kong answers with a bare `{"message": ...}` body rather than its `{code, name,
 * message, fields}` shape: unparseable JSON, unknown paths, methods a path does not serve. Kong's
 * own clients compare these bodies byte for byte, so they are sent exactly as Kong sends them.
 */
export class KongMessage extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  toBody(): { message: string } {
    return { message: this.message };
  }
}

/** kong/api/api_helpers.lua: a POST, PUT or PATCH whose JSON body is missing or does not decode to a table. */
export const cannotParseJson = (): KongMessage => new KongMessage(400, 'Cannot parse JSON body');
export const methodNotAllowed = (): KongMessage => new KongMessage(405, 'Method not allowed');
export const routeNotFound = (): KongMessage => new KongMessage(404, 'Not found');

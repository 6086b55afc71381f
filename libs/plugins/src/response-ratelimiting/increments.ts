/**
 * The upstream's usage header, Kong's format: `name=units` pairs separated by commas
 * (`sms=1, emails=2`); unknown names and malformed pairs are ignored.
 */
export function parseIncrements(header: string | undefined, names: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  if (header === undefined) return out;
  for (const part of header.split(',')) {
    const pieces = part.split('=');
    if (pieces.length !== 2) continue;
    const name = pieces[0]!.trim();
    const units = Number(pieces[1]!.trim());
    if (names.has(name) && Number.isFinite(units) && pieces[1]!.trim() !== '') out.set(name, units);
  }
  return out;
}

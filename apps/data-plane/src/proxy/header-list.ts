/** Flat header lists `[name, value, ...]` as the proxy writes them, searched case-insensitively. */

function sameName(a: string, lower: string): boolean {
  return a.length === lower.length && a.toLowerCase() === lower;
}

/** First value of `name` in the list, or undefined. */
export function findHeader(list: readonly string[] | null, name: string): string | undefined {
  if (list === null) return undefined;
  const lower = name.toLowerCase();
  for (let i = 0; i < list.length; i += 2) if (sameName(list[i]!, lower)) return list[i + 1];
  return undefined;
}

/** Removes every entry of `name`, in place. */
export function removeHeader(list: string[], name: string): void {
  const lower = name.toLowerCase();
  let out = 0;
  for (let i = 0; i < list.length; i += 2) {
    if (sameName(list[i]!, lower)) continue;
    list[out++] = list[i]!;
    list[out++] = list[i + 1]!;
  }
  list.length = out;
}

import type { EntityRef, LatencySummary, UsageResultRow } from './usage-analytics.service';
import type { GroupField } from './usage-query';

const NAMED: ReadonlySet<GroupField> = new Set(['service', 'route', 'consumer']);
const PHASES = ['gateway', 'upstream'] as const;
const QUANTILES = ['p50', 'p95', 'p99'] as const;

/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula (a consumer
 * named `=HYPERLINK(...)`) is prefixed with a quote so it stays text.
 */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function usageCsvHeader(groupBy: readonly GroupField[]): string[] {
  const groups = groupBy.flatMap((f) => (NAMED.has(f) ? [`${f}_id`, `${f}_name`] : [f]));
  const latencies = PHASES.flatMap((phase) => QUANTILES.map((q) => `${phase}_${q}`));
  return ['bucket', ...groups, 'requests', 'errors', 'error_rate', 'bytes_in', 'bytes_out', ...latencies];
}

/** The analytics rows as CSV, one line per row, named entities split into id and name columns. */
export function usageCsv(groupBy: readonly GroupField[], rows: readonly UsageResultRow[]): string {
  const lines = [usageCsvHeader(groupBy).join(',')];
  for (const row of rows) {
    const groups = groupBy.flatMap((f) => {
      if (!NAMED.has(f)) return [row[f]];
      const ref = row[f] as EntityRef | null;
      return [ref?.id, ref?.name];
    });
    const latency = row.latency as Record<(typeof PHASES)[number], LatencySummary>;
    const latencies = PHASES.flatMap((phase) => QUANTILES.map((q) => latency[phase][q]));
    lines.push([row.bucket, ...groups, row.requests, row.errors, row.error_rate, row.bytes_in, row.bytes_out, ...latencies].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

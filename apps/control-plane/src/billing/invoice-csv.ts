import type { InvoiceView } from './invoice-reader';

const COLUMNS = ['number', 'id', 'kind', 'status', 'organization_id', 'consumer_id', 'subscription_id', 'currency', 'period_start', 'period_end', 'billable', 'total', 'issued_at'] as const;

function cell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per invoice; times as ISO 8601, amounts as integers of minor units beside the currency. */
export function invoicesCsv(invoices: readonly InvoiceView[]): string {
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const rows = invoices.map((i) =>
    [i.number, i.id, i.kind, i.status, i.organization?.id ?? null, i.consumer.id, i.subscription.id, i.currency, iso(i.period_start), iso(i.period_end), i.billable, i.total, iso(i.issued_at)]
      .map(cell)
      .join(','),
  );
  return [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

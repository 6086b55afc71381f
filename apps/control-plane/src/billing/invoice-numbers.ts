import type { EntityManager } from 'typeorm';

/** The operator's own plans (no organization) number their invoices under this prefix. */
const OPERATOR_KEY = 'operator';
const OPERATOR_PREFIX = 'TOLLGATE';

/** `Acme Corp` → `ACME-CORP`: the organization's name as an invoice-number prefix. */
export function invoicePrefix(organizationName: string | null): string {
  if (organizationName === null) return OPERATOR_PREFIX;
  const prefix = organizationName.toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return prefix === '' ? 'ORG' : prefix;
}

/**
 * The organization's next number, taken in the caller's transaction: the counter row stays
 * locked until it commits (so numbers follow commit order) and a rollback gives the number back,
 * so issued numbers have no gaps.
 */
export async function nextInvoiceNumber(db: EntityManager, organizationId: string | null, organizationName: string | null): Promise<string> {
  const [row] = (await db.query(
    `INSERT INTO invoice_counters (organization_key, last_number) VALUES ($1, 1)
     ON CONFLICT (organization_key) DO UPDATE SET last_number = invoice_counters.last_number + 1
     RETURNING last_number`,
    [organizationId ?? OPERATOR_KEY],
  )) as { last_number: number }[];
  return `${invoicePrefix(organizationName)}-${String(row!.last_number).padStart(6, '0')}`;
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { providerOrganization } from '../access/caller';
import { encodeInvoiceOffset, type InvoiceQuery } from './invoice-query';

/** An invoice as the API shows it: every amount an integer of minor units of `currency`. */
export interface InvoiceView {
  id: string;
  number: string;
  kind: string;
  organization: { id: string } | null;
  subscription: { id: string };
  consumer: { id: string };
  plan: { id: string };
  terms_version: number;
  currency: string;
  period_start: number;
  period_end: number;
  billable: number;
  total: number;
  status: string;
  issued_at: number;
  paid_at: number | null;
  voided_at: number | null;
  replaces: { id: string } | null;
  lines?: InvoiceLineView[];
}

export interface InvoiceLineView {
  kind: string;
  description: string;
  quantity: number;
  unit_price: number;
  amount: number;
}

interface InvoiceRow {
  id: string;
  number: string;
  kind: string;
  organization_id: string | null;
  subscription_id: string;
  consumer_id: string;
  plan_id: string;
  terms_version: number;
  currency: string;
  period_start: number;
  period_end: number;
  billable: string;
  total: string;
  status: string;
  issued_at: number;
  paid_at: number | null;
  voided_at: number | null;
  replaces: string | null;
}

const ref = (id: string | null) => (id === null ? null : { id });

export function invoiceView(r: InvoiceRow): InvoiceView {
  return {
    id: r.id,
    number: r.number,
    kind: r.kind,
    organization: ref(r.organization_id),
    subscription: { id: r.subscription_id },
    consumer: { id: r.consumer_id },
    plan: { id: r.plan_id },
    terms_version: r.terms_version,
    currency: r.currency,
    period_start: r.period_start,
    period_end: r.period_end,
    billable: Number(r.billable),
    total: Number(r.total),
    status: r.status,
    issued_at: r.issued_at,
    paid_at: r.paid_at,
    voided_at: r.voided_at,
    replaces: ref(r.replaces),
  };
}

export interface InvoicePage {
  data: InvoiceView[];
  offset: string | null;
  next: string | null;
}

/** A provider's reads are confined to its organization: another's invoice is simply not found. */
function tenant(params: unknown[], where: string[]): void {
  const organization = providerOrganization();
  if (organization === null) return;
  params.push(organization);
  where.push(`organization_id = $${params.length}`);
}

@Injectable()
export class InvoiceReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(q: InvoiceQuery, path: string): Promise<InvoicePage> {
    const params: unknown[] = [];
    const where: string[] = [];
    const eq = (column: string, value: unknown) => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    tenant(params, where);
    eq('organization_id', q.organization);
    eq('consumer_id', q.consumer);
    eq('subscription_id', q.subscription);
    eq('status', q.status);
    if (q.periodFrom !== undefined) where.push(`period_start >= $${params.push(q.periodFrom)}`);
    if (q.periodTo !== undefined) where.push(`period_start < $${params.push(q.periodTo)}`);
    if (q.after) where.push(`(issued_at, id) < ($${params.push(q.after[0])}, $${params.push(q.after[1])}::uuid)`);
    const rows = (await this.dataSource.query(
      `SELECT * FROM invoices ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY issued_at DESC, id DESC LIMIT ${q.size + 1}`,
      params,
    )) as InvoiceRow[];
    const more = rows.length > q.size;
    const data = rows.slice(0, q.size).map(invoiceView);
    const last = data[data.length - 1];
    const offset = more && last ? encodeInvoiceOffset(last.issued_at, last.id) : null;
    const next = offset === null ? null : `${path}?${nextQuery(q, offset)}`;
    return { data, offset, next };
  }

  /** One invoice with its lines, or undefined when it does not exist for this caller. */
  async byId(id: string): Promise<InvoiceView | undefined> {
    const params: unknown[] = [id];
    const where = ['id = $1'];
    tenant(params, where);
    const rows = (await this.dataSource.query(`SELECT * FROM invoices WHERE ${where.join(' AND ')}`, params)) as InvoiceRow[];
    if (rows.length === 0) return undefined;
    const lines = (await this.dataSource.query(
      `SELECT kind, description, quantity::text, unit_price::text, amount::text FROM invoice_lines WHERE invoice_id = $1 ORDER BY position`,
      [id],
    )) as Record<string, string>[];
    return {
      ...invoiceView(rows[0]!),
      lines: lines.map((l) => ({ kind: l.kind!, description: l.description!, quantity: Number(l.quantity), unit_price: Number(l.unit_price), amount: Number(l.amount) })),
    };
  }
}

function nextQuery(q: InvoiceQuery, offset: string): string {
  const p = new URLSearchParams();
  if (q.organization) p.set('organization', q.organization);
  if (q.consumer) p.set('consumer', q.consumer);
  if (q.subscription) p.set('subscription', q.subscription);
  if (q.status) p.set('status', q.status);
  if (q.periodFrom !== undefined) p.set('period_from', String(q.periodFrom));
  if (q.periodTo !== undefined) p.set('period_to', String(q.periodTo));
  if (q.format !== 'json') p.set('format', q.format);
  p.set('size', String(q.size));
  p.set('offset', offset);
  return p.toString();
}

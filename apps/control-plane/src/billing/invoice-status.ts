import { Injectable } from '@nestjs/common';
import { isUuid } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { providerOrganization } from '../access/caller';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { InvoiceReader, type InvoiceView } from './invoice-reader';

export type InvoiceTransition = 'pay' | 'void';

const TARGET: Record<InvoiceTransition, { status: string; stamp: string }> = {
  pay: { status: 'paid', stamp: 'paid_at' },
  void: { status: 'void', stamp: 'voided_at' },
};

export function invoiceNotFound(id: string): AdminError {
  return new AdminError(AdminErrorCode.NOT_FOUND, `could not find the invoice with id '${id}'`, { id });
}

/**
 * An issued invoice is never edited: it is paid, or voided (the next period close issues its
 * replacement, under a new number, from the usage counted by then). Both only from `issued`.
 */
@Injectable()
export class InvoiceStatus {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: InvoiceReader,
  ) {}

  async move(id: string, transition: InvoiceTransition, now = Date.now()): Promise<InvoiceView> {
    if (!isUuid(id)) throw invoiceNotFound(id);
    const target = TARGET[transition];
    const params: unknown[] = [id, target.status, Math.floor(now / 1000)];
    const organization = providerOrganization();
    const tenant = organization === null ? '' : `AND organization_id = $${params.push(organization)}`;
    const moved = (await this.dataSource.query(
      `UPDATE invoices SET status = $2, ${target.stamp} = $3 WHERE id = $1 AND status = 'issued' ${tenant} RETURNING id`,
      params,
    )) as [unknown[], number];
    const invoice = await this.reader.byId(id);
    if (!invoice) throw invoiceNotFound(id);
    if (moved[1] === 0) {
      throw new AdminError(AdminErrorCode.INVOICE_STATUS_CONFLICT, `invoice ${invoice.number} is ${invoice.status}: only an issued invoice can be ${transition === 'pay' ? 'paid' : 'voided'}`, {
        status: invoice.status,
      });
    }
    return invoice;
  }
}

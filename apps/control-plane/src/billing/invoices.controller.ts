import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { isUuid } from '@tollgate/config';
import type { Request, Response } from 'express';
import { invoicesCsv } from './invoice-csv';
import { parseInvoiceQuery } from './invoice-query';
import { InvoiceReader, type InvoicePage, type InvoiceView } from './invoice-reader';
import { InvoiceStatus, invoiceNotFound } from './invoice-status';

/** `/invoices`: issued invoices as JSON pages or CSV, one with its lines, and paying or voiding one. */
@Controller('invoices')
export class InvoicesController {
  constructor(
    private readonly reader: InvoiceReader,
    private readonly status: InvoiceStatus,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<InvoicePage | string> {
    const parsed = parseInvoiceQuery(query);
    const page = await this.reader.list(parsed, req.path);
    if (parsed.format === 'json') return page;
    if (page.next !== null) res.setHeader('link', `<${page.next}>; rel="next"`);
    res.type('text/csv; charset=utf-8');
    return invoicesCsv(page.data);
  }

  @Get(':id')
  async one(@Param('id') id: string): Promise<InvoiceView> {
    const invoice = isUuid(id) ? await this.reader.byId(id) : undefined;
    if (!invoice) throw invoiceNotFound(id);
    return invoice;
  }

  @Post(':id/pay')
  @HttpCode(200)
  pay(@Param('id') id: string): Promise<InvoiceView> {
    return this.status.move(id, 'pay');
  }

  @Post(':id/void')
  @HttpCode(200)
  void(@Param('id') id: string): Promise<InvoiceView> {
    return this.status.move(id, 'void');
  }
}

import { Module } from '@nestjs/common';
import { InvoiceIssuer } from './invoice-issuer';
import { InvoiceReader } from './invoice-reader';
import { InvoiceStatus } from './invoice-status';
import { InvoicesController } from './invoices.controller';
import { OrganizationRevenue, OrganizationRevenueController } from './organization-revenue';
import { PeriodClose } from './period-close';
import { SubscriptionUsageController, SubscriptionUsageReader } from './subscription-usage';

/**
 * Billing: period close (every replica, each invoice exactly once), the invoices API, current
 * usage of a subscription and an organization's revenue. PeriodClose starts and stops its own pass.
 */
@Module({
  controllers: [InvoicesController, SubscriptionUsageController, OrganizationRevenueController],
  providers: [InvoiceIssuer, PeriodClose, InvoiceReader, InvoiceStatus, SubscriptionUsageReader, OrganizationRevenue],
})
export class BillingModule {}

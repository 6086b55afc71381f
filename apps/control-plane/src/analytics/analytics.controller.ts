import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UsageAnalytics, type UsagePage } from './usage-analytics.service';
import { usageCsv } from './usage-csv';
import { parseUsageQuery } from './usage-query';

/** `/analytics/usage`: usage rollups for dashboards, as JSON pages or CSV. */
@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly analytics: UsageAnalytics) {}

  @Get('usage')
  async usage(@Query() query: Record<string, unknown>, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<UsagePage | string> {
    const parsed = parseUsageQuery(query, Date.now());
    const page = await this.analytics.usage(parsed, req.path, query);
    if (parsed.format === 'json') return page;
    // CSV has no envelope: the next page travels in a Link header (RFC 8288).
    if (page.next !== null) res.setHeader('link', `<${page.next}>; rel="next"`);
    res.type('text/csv; charset=utf-8');
    return usageCsv(parsed.groupBy, page.data);
  }
}

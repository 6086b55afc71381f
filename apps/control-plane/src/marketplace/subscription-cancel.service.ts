import { Injectable } from '@nestjs/common';
import type { ParsedBody } from '../admin/admin-body-parser';
import { EntitiesService } from '../entities/entities.service';
import { notFound, schemaViolation } from '../entities/entity-errors';
import { fromRow } from '../entities/entity-row';
import { subscriptionsHome } from './subscriptions.home';

const def = subscriptionsHome.definition;

/** `at_period_end` as JSON or a form field; anything else is refused, naming the field. */
function atPeriodEnd(parsed: ParsedBody): boolean {
  const raw = parsed.body.at_period_end;
  if (raw === undefined || raw === null) return false;
  if (typeof raw === 'boolean') return raw;
  if (parsed.fromForm && (raw === 'true' || raw === 'false')) return raw === 'true';
  throw schemaViolation({ at_period_end: 'expected a boolean' });
}

/**
 * `POST /subscriptions/{id}/cancel`: at once (status canceled, calls refused from the next
 * config), or `at_period_end` (it serves until current_period_end and does not renew). One
 * admin write like any other: a config version, a change-log row, an audit row.
 */
@Injectable()
export class SubscriptionCancelService {
  constructor(private readonly entities: EntitiesService) {}

  async cancel(key: string, parsed: ParsedBody): Promise<Record<string, unknown>> {
    const later = atPeriodEnd(parsed);
    return this.entities.write(def, async (w) => {
      const existing = await this.entities.findByKey(w.db, def, key, undefined, 'FOR NO KEY UPDATE');
      if (!existing) throw notFound(def, key);
      const current = fromRow(def, existing);
      if (current.status === 'canceled') return current;
      const next = later ? { ...current, cancel_at_period_end: true } : { ...current, status: 'canceled' };
      return this.entities.replace(w, def, existing, next, false);
    });
  }
}

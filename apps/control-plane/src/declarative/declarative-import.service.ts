import { Injectable } from '@nestjs/common';
import { DeclarativeConfigError, ENTITIES, parseDeclarativeConfig, services, type ConfigEntities } from '@tollgate/config';
import { validatePluginConfig } from '@tollgate/plugins';
import type { ParsedBody } from '../admin/admin-body-parser';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { ConfigVersionLedger } from '../config-log/config-version-ledger';
import { EntitiesService, type Write } from '../entities/entities.service';

type Entity = Record<string, unknown> & { id: string };

function parse(parsed: ParsedBody): ConfigEntities {
  // Kong's POST /config takes the file as a `config` field (form or JSON), or the document itself.
  const text = typeof parsed.body.config === 'string' ? parsed.body.config : JSON.stringify(parsed.body);
  try {
    return parseDeclarativeConfig(text, { validatePluginConfig });
  } catch (err) {
    if (!(err instanceof DeclarativeConfigError)) throw err;
    throw new AdminError(AdminErrorCode.INVALID_DECLARATIVE_CONFIG, err.message, { errors: err.errors as unknown as Record<string, unknown>[] });
  }
}

/**
 * `POST /config`: makes the whole configuration match a Kong declarative file in one
 * transaction (one config version): entities of the file are created or replaced by id,
 * parents first; entities the file no longer has are deleted, children first.
 */
@Injectable()
export class DeclarativeImportService {
  constructor(
    private readonly entities: EntitiesService,
    private readonly ledger: ConfigVersionLedger,
  ) {}

  async import(parsed: ParsedBody): Promise<Record<string, number>> {
    const config = parse(parsed);
    return this.entities.write(services, async (w) => {
      // Two imports at once would both insert the file's ids: the second waits, then replaces.
      await this.ledger.lockForWholeConfig(w.db);
      // Deletes first, children first: an entity the file replaces under a new id (a global plugin
      // of the same name) must be gone before its successor takes its unique key.
      for (const def of [...ENTITIES].reverse()) {
        const keep = (config[def.name as keyof ConfigEntities] as unknown as readonly Entity[]).map((e) => e.id);
        const gone: Entity[] = await w.db.query(`SELECT * FROM "${def.name}" WHERE NOT (id = ANY($1::uuid[]))`, [keep]);
        for (const row of gone) await this.entities.deleteRow(w, def, row);
      }
      const counts: Record<string, number> = {};
      for (const def of ENTITIES) {
        const list = config[def.name as keyof ConfigEntities] as unknown as readonly Entity[];
        for (const entity of list) await this.upsert(w, def, entity);
        counts[def.name] = list.length;
      }
      return counts;
    });
  }

  private async upsert(w: Write, def: (typeof ENTITIES)[number], entity: Entity): Promise<void> {
    const body: Record<string, unknown> = { ...entity };
    const existing = await this.entities.findByKey(w.db, def, entity.id);
    if (existing) await this.entities.replace(w, def, existing, body, false);
    else await this.entities.insert(w, def, body, false);
  }
}

import { Module } from '@nestjs/common';
import { AuditLog } from '../config-log/audit-log';
import { ConfigVersionLedger } from '../config-log/config-version-ledger';
import { PluginAvailability } from '../config-sync/plugin-availability';
import { DeclarativeConfigController } from '../declarative/declarative-config.controller';
import { DeclarativeImportService } from '../declarative/declarative-import.service';
import { ApisController } from '../legacy-apis/apis.controller';
import { ApisService } from '../legacy-apis/apis.service';
import { SchemasController } from '../schemas/schemas.controller';
import { SchemasService } from '../schemas/schemas.service';
import { TagsController } from '../tags/tags.controller';
import { TagsService } from '../tags/tags.service';
import { EntitiesService } from './entities.service';
import { entityControllers } from './entity-controllers';
import { EntityInput } from './entity-input';
import { EntityStore } from './entity-store';

/**
 * Kong's entities over Postgres: the CRUD routes of every entity home, their schemas, tags,
 * the declarative `/config` and legacy `/apis`; every write versioned and audited.
 */
@Module({
  // Fixed paths first: Express tries routes in order, so `/plugins/enabled` wins over `/plugins/:key`.
  controllers: [SchemasController, TagsController, DeclarativeConfigController, ApisController, ...entityControllers()],
  providers: [
    EntityStore,
    EntityInput,
    EntitiesService,
    ConfigVersionLedger,
    AuditLog,
    PluginAvailability,
    SchemasService,
    TagsService,
    ApisService,
    DeclarativeImportService,
  ],
  exports: [EntitiesService, ConfigVersionLedger],
})
export class EntitiesModule {}

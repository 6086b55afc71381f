import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditLogController } from '../config-log/audit-log.controller';
import { AuditLogReader } from '../config-log/audit-log-reader';
import { CONTROL_PLANE_RUNTIME, type ControlPlaneRuntime } from '../control-plane-runtime';
import { EntitiesModule } from '../entities/entities.module';
import { AccessGuard } from './access.guard';
import { AdminBootstrap } from './admin-bootstrap';
import { AdminTokenVerifier } from './admin-tokens/admin-token-verifier';
import { AdminTokensController } from './admin-tokens/admin-tokens.controller';
import { AdminTokensService } from './admin-tokens/admin-tokens.service';

/** Who may call the admin API: tokens, roles on every route, the bootstrap token, the audit log's reader. */
@Module({
  imports: [EntitiesModule],
  controllers: [AdminTokensController, AuditLogController],
  providers: [{ provide: APP_GUARD, useClass: AccessGuard }, AdminTokenVerifier, AdminTokensService, AdminBootstrap, AuditLogReader],
  exports: [AdminTokenVerifier],
})
export class AccessModule implements OnApplicationBootstrap {
  constructor(
    @Inject(CONTROL_PLANE_RUNTIME) private readonly runtime: ControlPlaneRuntime,
    private readonly bootstrap: AdminBootstrap,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const secret = this.runtime.settings.adminBootstrapToken;
    if (secret !== null) await this.bootstrap.ensure(secret);
  }
}

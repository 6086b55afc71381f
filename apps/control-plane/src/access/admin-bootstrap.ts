import { Injectable } from '@nestjs/common';
import { EntitiesService } from '../entities/entities.service';
import { adminTokens } from './admin-tokens/admin-tokens.home';
import { AdminTokenVerifier } from './admin-tokens/admin-token-verifier';
import { hashToken } from './admin-tokens/token-secret';
import { BOOTSTRAP_CALLER, runAsCaller } from './caller';

/**
 * TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: the first admin token, created when no token exists yet. An
 * advisory lock in the write's transaction makes replicas starting together create it once.
 */
@Injectable()
export class AdminBootstrap {
  constructor(
    private readonly entities: EntitiesService,
    private readonly verifier: AdminTokenVerifier,
  ) {}

  async ensure(secret: string): Promise<'created' | 'exists'> {
    const outcome = await runAsCaller(BOOTSTRAP_CALLER, () =>
      this.entities.write(adminTokens, async (w) => {
        await w.db.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.admin_tokens_bootstrap'))`);
        const [row] = (await w.db.query('SELECT EXISTS (SELECT 1 FROM admin_tokens) AS any')) as { any: boolean }[];
        if (row!.any) return 'exists' as const;
        await this.entities.insert(w, adminTokens, { name: 'bootstrap-token', role: 'admin', token_hash: hashToken(secret) }, false);
        return 'created' as const;
      }),
    );
    this.verifier.forget();
    return outcome;
  }
}

import { Injectable } from '@nestjs/common';
import type { ParsedBody } from '../../admin/admin-body-parser';
import { EntitiesService } from '../../entities/entities.service';
import type { Row } from '../../entities/entity-store';
import { currentCaller } from '../caller';
import { AdminTokenVerifier } from './admin-token-verifier';
import { adminTokens } from './admin-tokens.home';
import { hashToken, newTokenSecret } from './token-secret';

/** What `GET /admin-tokens/me` says about the caller. */
export interface Whoami {
  readonly kind: 'token' | 'local' | 'bootstrap';
  readonly id: string | null;
  readonly name: string;
  readonly role: string;
  readonly organization: { readonly id: string } | null;
}

/** Issues and revokes admin tokens through the generic entity writes (so each is audited and versioned). */
@Injectable()
export class AdminTokensService {
  constructor(
    private readonly entities: EntitiesService,
    private readonly verifier: AdminTokenVerifier,
  ) {}

  /** A new token; its secret is in `token` of this response only and is never stored. */
  async issue(parsed: ParsedBody): Promise<Row> {
    const secret = newTokenSecret();
    const { token: _token, token_hash: _hash, ...fields } = parsed.body;
    const row = await this.entities.create(adminTokens, { body: { ...fields, token_hash: hashToken(secret) }, fromForm: parsed.fromForm });
    this.verifier.forget();
    return { ...row, token: secret };
  }

  /** Revoked at once here; other replicas refuse it within TOKEN_CACHE_MS. */
  async revoke(key: string): Promise<void> {
    await this.entities.delete(adminTokens, key);
    this.verifier.forget();
  }

  whoami(): Whoami {
    const caller = currentCaller();
    return {
      kind: caller.kind,
      id: caller.tokenId,
      name: caller.name,
      role: caller.role,
      organization: caller.organizationId === null ? null : { id: caller.organizationId },
    };
  }
}

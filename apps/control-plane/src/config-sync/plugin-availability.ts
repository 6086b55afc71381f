import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { currentAdminRequest } from '../admin/admin-request-scope';

/** A data plane connected within this long (its heartbeat is 10 s) counts as connected. */
const CONNECTED_WITHIN_SECONDS = 60;

/** A plugin as a write leaves it, with where it applies. */
export interface PluginPlacement {
  readonly name: string;
  readonly enabled: boolean;
  readonly regions: readonly string[];
  readonly serviceId: string | null;
  readonly routeId: string | null;
}

interface LackingNode {
  id: string;
  hostname: string;
  region: string;
  version: string | null;
}

/**
 * Version skew guard: a plugin write is refused while a connected data plane of a region the
 * plugin reaches cannot run that plugin, because from that write on the whole region would stop
 * taking config. `?force=true` writes it anyway (those data planes alone then report
 * `plugin_set_incompatible` and keep their last good config).
 */
@Injectable()
export class PluginAvailability {
  async check(db: EntityManager, plugins: readonly PluginPlacement[]): Promise<void> {
    if (plugins.length === 0 || currentAdminRequest().force) return;
    for (const plugin of plugins) {
      if (!plugin.enabled) continue;
      const regions = await this.regionsReached(db, plugin);
      if (regions !== null && regions.length === 0) continue;
      const lacking: LackingNode[] = await db.query(
        `SELECT id, hostname, region, version FROM data_plane_nodes
         WHERE stream_id IS NOT NULL AND last_seen > now() - make_interval(secs => $1)
           AND NOT (plugins ? $2) AND ($3::text[] IS NULL OR region = ANY($3::text[]))
         ORDER BY region, hostname, id LIMIT 20`,
        [CONNECTED_WITHIN_SECONDS, plugin.name, regions],
      );
      if (lacking.length > 0) throw refusal(plugin.name, lacking);
    }
  }

  /** The regions a plugin reaches (null = every region): its own, narrowed by its service's and route's. */
  private async regionsReached(db: EntityManager, plugin: PluginPlacement): Promise<string[] | null> {
    const sets: (readonly string[])[] = [plugin.regions];
    if (plugin.routeId) {
      const rows: { regions: string[] | null; service_id: string | null }[] = await db.query(`SELECT regions, service_id FROM routes WHERE id = $1`, [plugin.routeId]);
      if (rows[0]) sets.push(rows[0].regions ?? []);
      const serviceId = plugin.serviceId ?? rows[0]?.service_id ?? null;
      if (serviceId) sets.push(await serviceRegions(db, serviceId));
    } else if (plugin.serviceId) {
      sets.push(await serviceRegions(db, plugin.serviceId));
    }
    const limited = sets.filter((s) => s.length > 0);
    if (limited.length === 0) return null;
    return limited.reduce<string[]>((acc, s) => acc.filter((r) => s.includes(r)), [...limited[0]!]);
  }
}

async function serviceRegions(db: EntityManager, id: string): Promise<readonly string[]> {
  const rows: { regions: string[] | null }[] = await db.query(`SELECT regions FROM services WHERE id = $1`, [id]);
  return rows[0]?.regions ?? [];
}

function refusal(name: string, nodes: readonly LackingNode[]): AdminError {
  const described = nodes.map((n) => `${n.hostname} (${n.id}, region ${n.region}${n.version ? `, version ${n.version}` : ''})`).join(', ');
  const message = `plugin '${name}' is not available on connected data planes: ${described}; they would stop receiving config (write with ?force=true to do it anyway)`;
  return new AdminError(AdminErrorCode.SCHEMA_VIOLATION, message, {
    name: message,
    '@data_planes': nodes.map((n) => ({ id: n.id, hostname: n.hostname, region: n.region, version: n.version })),
  });
}

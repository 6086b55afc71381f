import { Injectable } from '@nestjs/common';
import { availablePlugins } from '@tollgate/plugins';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { ConfigVersionLedger } from '../config-log/config-version-ledger';

export const TOLLGATE_VERSION = '0.1.0';
const NODE_ID = crypto.randomUUID();

@Injectable()
export class NodeInfoService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: ConfigVersionLedger,
  ) {}

  async root() {
    const enabled: { name: string }[] = await this.dataSource.query('SELECT DISTINCT name FROM plugins ORDER BY name');
    return {
      tagline: 'Welcome to tollgate',
      version: TOLLGATE_VERSION,
      hostname: hostname(),
      node_id: NODE_ID,
      role: 'control_plane',
      lua_version: null,
      node_version: process.version,
      plugins: {
        available_on_server: Object.fromEntries(availablePlugins().map((name) => [name, { version: TOLLGATE_VERSION }])),
        enabled_in_cluster: enabled.map((row) => row.name),
      },
      configuration: { database: 'postgres', role: 'control_plane', admin_listen: ['127.0.0.1:8001'] },
    };
  }

  async status() {
    let reachable = true;
    let configVersion: number | null = null;
    try {
      configVersion = await this.ledger.currentVersion(this.dataSource.manager);
    } catch {
      reachable = false;
    }
    const memory = process.memoryUsage();
    return {
      database: { reachable },
      config_version: configVersion,
      memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed },
      server: { node_id: NODE_ID, uptime_seconds: Math.round(process.uptime()) },
    };
  }
}

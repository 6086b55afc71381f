import { Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { CONFIG_VERSION_CHANNEL } from '../config-log/config-version-ledger';
import { PLUGIN_MESSAGE_CHANNEL, type PluginMessageNote } from '../plugin-messages/plugin-messages';
import { ConfigSyncService } from './config-sync.service';

export interface CoalescingOptions {
  /** Publish once no write has arrived for this long. */
  readonly quietMs: number;
  /** ...but never later than this after the first write of a burst. */
  readonly maxDelayMs: number;
}

export const DEFAULT_COALESCING: CoalescingOptions = { quietMs: 10, maxDelayMs: 100 };

/**
 * Listens for committed config versions on Postgres (any replica's writes arrive here) and
 * publishes them to this replica's data planes, coalescing bursts of writes into one publish.
 */
@Injectable()
export class ConfigPublisher {
  private readonly logger = new Logger('ConfigPublisher');
  private client: Client | null = null;
  private quietTimer: NodeJS.Timeout | null = null;
  private burstStarted = 0;
  private publishing: Promise<void> = Promise.resolve();
  private options = DEFAULT_COALESCING;
  private closed = false;

  constructor(private readonly sync: ConfigSyncService) {}

  async start(databaseUrl: string, schema: string, options: CoalescingOptions = DEFAULT_COALESCING): Promise<void> {
    this.options = options;
    const client = new Client({ connectionString: databaseUrl, options: `-c search_path="${schema}"` });
    await client.connect();
    const pluginChannel = `${PLUGIN_MESSAGE_CHANNEL}_${schema}`;
    client.on('notification', (note) => (note.channel === pluginChannel ? this.relay(note.payload) : this.schedule()));
    client.on('error', (err) => this.reconnect(databaseUrl, schema, err));
    await client.query(`LISTEN "${CONFIG_VERSION_CHANNEL}_${schema}"`);
    await client.query(`LISTEN "${pluginChannel}"`);
    this.client = client;
  }

  private reconnect(databaseUrl: string, schema: string, err: Error): void {
    if (this.closed) return;
    this.logger.warn(`lost the Postgres notification connection (${err.message}); reconnecting`);
    this.client = null;
    const retry = () => {
      if (this.closed) return;
      this.start(databaseUrl, schema, this.options).then(
        () => this.schedule(),
        () => setTimeout(retry, 1000).unref(),
      );
    };
    setTimeout(retry, 200).unref();
  }

  /** A plugin message any replica sent: down this replica's streams at once (no coalescing). */
  private relay(payload: string | undefined): void {
    try {
      const note = JSON.parse(payload ?? '') as PluginMessageNote;
      this.sync.broadcastPluginMessage(note.plugin, note.payload);
    } catch (err) {
      this.logger.warn(`unreadable plugin message: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Called on every committed version: wait for a quiet moment, bounded by the max delay. */
  schedule(): void {
    const now = Date.now();
    if (this.quietTimer) clearTimeout(this.quietTimer);
    else this.burstStarted = now;
    const delay = Math.max(0, Math.min(this.options.quietMs, this.burstStarted + this.options.maxDelayMs - now));
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      this.publishing = this.publishing.then(() => this.sync.publish()).catch((err: unknown) => {
        this.logger.error(`publish failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }, delay);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    await this.publishing;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Postgres channel (suffixed with the schema) on which every replica hears plugin messages. */
export const PLUGIN_MESSAGE_CHANNEL = 'tollgate_plugin_message';

/** What travels on the channel: the plugin it is for and its own payload. */
export interface PluginMessageNote {
  readonly plugin: string;
  readonly payload: unknown;
}

/**
 * Sends a message to one plugin on every connected data plane, through every control-plane
 * replica: a NOTIFY that each replica's ConfigPublisher hears and relays down its own sync streams
 * (replicas are stateless; any of them may hold a given data plane's stream).
 */
@Injectable()
export class PluginMessages {
  constructor(private readonly dataSource: DataSource) {}

  async send(plugin: string, payload: unknown): Promise<void> {
    const note: PluginMessageNote = { plugin, payload };
    await this.dataSource.query(`SELECT pg_notify('${PLUGIN_MESSAGE_CHANNEL}_' || current_schema(), $1)`, [JSON.stringify(note)]);
  }
}

import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { isUuid } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { PluginMessages } from './plugin-messages';

/**
 * Kong's proxy-cache purge endpoints (plugins/proxy-cache/api.lua). Entries live in the data
 * planes' memory, so a purge is a message to every connected data plane (204 once it is sent);
 * unlike Kong, whether a key was cached anywhere is not known here, so a purge of a key is 204
 * whether or not it was cached. Reading an entry (`GET /proxy-cache/{key}`) is not offered.
 */
@Controller('proxy-cache')
export class ProxyCacheController {
  constructor(
    private readonly messages: PluginMessages,
    private readonly dataSource: DataSource,
  ) {}

  @Delete()
  @HttpCode(204)
  async purgeAll(): Promise<void> {
    await this.messages.send('proxy-cache', { plugin: null, key: null });
  }

  @Delete(':key')
  @HttpCode(204)
  async purgeKey(@Param('key') key: string): Promise<void> {
    await this.messages.send('proxy-cache', { plugin: null, key });
  }

  @Delete(':plugin/caches/:key')
  @HttpCode(204)
  async purgePluginKey(@Param('plugin') plugin: string, @Param('key') key: string): Promise<void> {
    const found = isUuid(plugin) ? await this.dataSource.query(`SELECT 1 FROM plugins WHERE id = $1 AND name = 'proxy-cache'`, [plugin]) : [];
    if (found.length === 0) throw new AdminError(AdminErrorCode.NOT_FOUND, 'Not found');
    await this.messages.send('proxy-cache', { plugin, key });
  }
}

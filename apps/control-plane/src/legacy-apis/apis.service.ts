import { Injectable } from '@nestjs/common';
import { isUuid, plugins, routes, services } from '@tollgate/config';
import { DataSource } from 'typeorm';
import type { ParsedBody } from '../admin/admin-body-parser';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { EntitiesService } from '../entities/entities.service';
import { schemaViolation } from '../entities/entity-errors';
import { parsePageRequest, toPage, type Page } from '../entities/pagination';
import { mapLegacyApi, presentLegacyApi } from './legacy-api-mapping';

interface ApiRow {
  id: string;
  created_at: number;
  updated_at: number;
  name: string;
  service_id: string;
  route_id: string | null;
  definition: Record<string, unknown>;
}

const LEGACY_STRINGS = ['name', 'upstream_url', 'request_host', 'request_path'];

@Injectable()
export class ApisService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: EntitiesService,
  ) {}

  async create(parsed: ParsedBody) {
    const body = parsed.body;
    const { mapping, errors } = mapLegacyApi(body);
    if (errors) throw schemaViolation(errors);
    for (const field of LEGACY_STRINGS) {
      if (body[field] !== undefined && typeof body[field] !== 'string') throw schemaViolation({ [field]: 'expected a string' });
    }
    return this.entities.write(services, async (w) => {
      const service = await this.entities.insert(w, services, mapping!.service, parsed.fromForm);
      const route = await this.entities.insert(w, routes, { ...mapping!.route, service: { id: service.id } }, parsed.fromForm);
      const id = isUuid(body.id) ? body.id : crypto.randomUUID();
      const definition: Record<string, unknown> = { ...body, strip_request_path: route.strip_path, preserve_host: route.preserve_host };
      delete definition.id;
      const rows: ApiRow[] = await w.db.query(
        `INSERT INTO apis (id, created_at, updated_at, name, service_id, route_id, definition)
         VALUES ($1, $2, $2, $3, $4, $5, $6) RETURNING *`,
        [id, service.created_at, body.name, service.id, route.id, JSON.stringify(definition)],
      );
      return presentLegacyApi(rows[0]!);
    });
  }

  async list(query: Record<string, unknown>, path: string): Promise<Page<Record<string, unknown>>> {
    const page = parsePageRequest(query);
    const rows: ApiRow[] = await this.dataSource.query(
      'SELECT * FROM apis WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2',
      [page.after, page.size + 1],
    );
    return toPage(rows, page, path, presentLegacyApi, (row) => [row.id]);
  }

  async get(key: string) {
    return presentLegacyApi(await this.find(key));
  }

  async delete(key: string): Promise<void> {
    const api = await this.find(key).catch(() => null);
    if (!api) return;
    await this.entities.write(services, async (w) => {
      const [service] = await w.db.query('SELECT * FROM services WHERE id = $1', [api.service_id]);
      await w.db.query('DELETE FROM apis WHERE id = $1', [api.id]);
      const ownRoutes = await w.db.query('SELECT * FROM routes WHERE service_id = $1', [api.service_id]);
      for (const route of ownRoutes) await this.entities.deleteRow(w, routes, route);
      if (service) await this.entities.deleteRow(w, services, service);
      return null;
    }, true);
  }

  /** Plugins on an api apply to its service (Kong 0.x attached them to the api as a whole). */
  async addPlugin(key: string, parsed: ParsedBody) {
    const api = await this.find(key);
    return this.entities.create(plugins, { ...parsed, body: { ...parsed.body, service: { id: api.service_id } } });
  }

  async listPlugins(key: string, query: Record<string, unknown>, path: string) {
    const api = await this.find(key);
    return this.entities.list(plugins, query, path, { parent: services, parentKey: api.service_id, field: 'service' });
  }

  private async find(key: string): Promise<ApiRow> {
    const rows: ApiRow[] = await this.dataSource.query(`SELECT * FROM apis WHERE ${isUuid(key) ? 'id' : 'name'} = $1`, [key]);
    if (!rows[0]) throw new AdminError(AdminErrorCode.NOT_FOUND, `could not find the 'apis' entity with key '${key}'`, { name: key });
    return rows[0];
  }
}

import { validatePluginConfig } from '@tollgate/plugins';
import type { TestSchema } from '@tollgate/testing';

export interface FleetConfigSize {
  readonly services: number;
  readonly consumers: number;
}

/**
 * Loads a marketplace-sized config straight into a schema by SQL (the admin API would take
 * minutes): one route per service, consumers with one key-auth credential each, and key-auth
 * enabled globally. Bumps the config version once, as one big write would.
 */
export async function loadFleetConfig(schema: TestSchema, size: FleetConfigSize): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  await schema.query(
    `INSERT INTO services (id, created_at, updated_at, name, retries, protocol, host, port, path, connect_timeout,
       write_timeout, read_timeout, enabled, tags, regions)
     SELECT gen_random_uuid(), $1, $1, 'svc-' || g, 5, 'http', 'upstream-' || (g % 50) || '.internal', 8080,
       '/v1', 60000, 60000, 60000, true, ARRAY['bench'], '{}'
     FROM generate_series(1, $2) g`,
    [now, size.services],
  );
  await schema.query(
    `INSERT INTO routes (id, created_at, updated_at, name, protocols, methods, hosts, paths, https_redirect_status_code,
       regex_priority, strip_path, path_handling, preserve_host, request_buffering, response_buffering, service_id, tags, regions)
     SELECT gen_random_uuid(), $1, $1, 'route-' || substr(s.name, 5), ARRAY['http','https'], ARRAY['GET','POST'],
       ARRAY['api-' || (substr(s.name, 5)::int % 100) || '.example.com'], ARRAY['/' || s.name], 426, 0, true, 'v0',
       false, true, true, s.id, ARRAY['bench'], '{}'
     FROM services s`,
    [now],
  );
  await schema.query(
    `INSERT INTO consumers (id, created_at, updated_at, username, custom_id, tags)
     SELECT gen_random_uuid(), $1, $1, 'consumer-' || g, NULL, NULL FROM generate_series(1, $2) g`,
    [now, size.consumers],
  );
  await schema.query(
    `INSERT INTO keyauth_credentials (id, created_at, updated_at, consumer_id, key, ttl, tags)
     SELECT gen_random_uuid(), $1, $1, id, md5(id::text), NULL, NULL FROM consumers`,
    [now],
  );
  await schema.query(
    `INSERT INTO plugins (id, created_at, updated_at, name, config, protocols, enabled, regions)
     VALUES (gen_random_uuid(), $1, $1, 'key-auth', $2, ARRAY['grpc','grpcs','http','https'], true, '{}')`,
    [now, JSON.stringify(validatePluginConfig('key-auth', {}).value)],
  );
  await schema.query('ANALYZE');
  await schema.query('UPDATE config_state SET version = version + 1');
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

const TAGGED = [
  'certificates',
  'ca_certificates',
  'snis',
  'services',
  'routes',
  'consumers',
  'upstreams',
  'targets',
  'plugins',
  'keyauth_credentials',
  'basicauth_credentials',
  'jwt_secrets',
  'acls',
];

const BASE = `id uuid PRIMARY KEY, created_at integer NOT NULL, updated_at integer NOT NULL`;

/** Kong's entity model, the config version ledger and the audit log. */
export class InitialSchema1764201600000 implements MigrationInterface {
  name = 'InitialSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE config_state (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      version bigint NOT NULL)`);
    await q.query(`INSERT INTO config_state (singleton, version) VALUES (true, 0)`);
    await q.query(`CREATE TABLE config_changes (
      version bigint NOT NULL,
      entity_type text NOT NULL,
      entity_id uuid NOT NULL,
      op text NOT NULL CHECK (op IN ('upsert', 'delete')),
      regions text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (version, entity_type, entity_id))`);
    await q.query(`CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      action text NOT NULL,
      entity_type text NOT NULL,
      entity_id uuid NOT NULL,
      config_version bigint NOT NULL,
      before jsonb,
      after jsonb)`);

    await q.query(`CREATE TABLE certificates (${BASE},
      cert text NOT NULL, key text NOT NULL, cert_alt text, key_alt text, tags text[])`);
    await q.query(`CREATE TABLE ca_certificates (${BASE},
      cert text NOT NULL, cert_digest text NOT NULL UNIQUE, tags text[])`);
    await q.query(`CREATE TABLE snis (${BASE},
      name text NOT NULL UNIQUE,
      certificate_id uuid NOT NULL REFERENCES certificates (id) ON DELETE CASCADE, tags text[])`);
    await q.query(`CREATE TABLE services (${BASE},
      name text UNIQUE, retries integer NOT NULL, protocol text NOT NULL, host text NOT NULL,
      port integer NOT NULL, path text, connect_timeout integer NOT NULL, write_timeout integer NOT NULL,
      read_timeout integer NOT NULL, client_certificate_id uuid REFERENCES certificates (id),
      tls_verify boolean, tls_verify_depth integer, ca_certificates text[], enabled boolean NOT NULL,
      tags text[], regions text[] NOT NULL DEFAULT '{}')`);
    await q.query(`CREATE TABLE routes (${BASE},
      name text UNIQUE, protocols text[] NOT NULL, methods text[], hosts text[], paths text[],
      headers jsonb, snis text[], https_redirect_status_code integer NOT NULL,
      regex_priority integer NOT NULL, strip_path boolean NOT NULL, path_handling text NOT NULL,
      preserve_host boolean NOT NULL, request_buffering boolean NOT NULL, response_buffering boolean NOT NULL,
      service_id uuid REFERENCES services (id), tags text[], regions text[] NOT NULL DEFAULT '{}')`);
    await q.query(`CREATE INDEX routes_service_id_idx ON routes (service_id)`);
    await q.query(`CREATE TABLE consumers (${BASE},
      username text UNIQUE, custom_id text UNIQUE, tags text[])`);
    await q.query(`CREATE TABLE upstreams (${BASE},
      name text NOT NULL UNIQUE, algorithm text NOT NULL, hash_on text NOT NULL, hash_fallback text NOT NULL,
      hash_on_header text, hash_fallback_header text, hash_on_cookie text, hash_on_cookie_path text NOT NULL,
      hash_on_query_arg text, hash_fallback_query_arg text, hash_on_uri_capture text,
      hash_fallback_uri_capture text, slots integer NOT NULL, healthchecks jsonb NOT NULL, host_header text,
      client_certificate_id uuid REFERENCES certificates (id), use_srv_name boolean NOT NULL,
      tags text[], regions text[] NOT NULL DEFAULT '{}')`);
    await q.query(`CREATE TABLE targets (${BASE},
      upstream_id uuid NOT NULL REFERENCES upstreams (id) ON DELETE CASCADE,
      target text NOT NULL, weight integer NOT NULL, tags text[],
      CONSTRAINT targets_upstream_target_key UNIQUE (upstream_id, target))`);
    await q.query(`CREATE TABLE plugins (${BASE},
      name text NOT NULL, instance_name text UNIQUE,
      route_id uuid REFERENCES routes (id) ON DELETE CASCADE,
      service_id uuid REFERENCES services (id) ON DELETE CASCADE,
      consumer_id uuid REFERENCES consumers (id) ON DELETE CASCADE,
      config jsonb NOT NULL, protocols text[] NOT NULL, enabled boolean NOT NULL,
      tags text[], regions text[] NOT NULL DEFAULT '{}',
      CONSTRAINT plugins_scope_key UNIQUE NULLS NOT DISTINCT (name, route_id, service_id, consumer_id))`);
    for (const parent of ['route', 'service', 'consumer']) {
      await q.query(`CREATE INDEX plugins_${parent}_id_idx ON plugins (${parent}_id)`);
    }
    await q.query(`CREATE TABLE keyauth_credentials (${BASE},
      consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
      key text NOT NULL UNIQUE, ttl integer, tags text[])`);
    await q.query(`CREATE TABLE basicauth_credentials (${BASE},
      consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
      username text NOT NULL UNIQUE, password text NOT NULL, tags text[])`);
    await q.query(`CREATE TABLE jwt_secrets (${BASE},
      consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
      key text NOT NULL UNIQUE, secret text NOT NULL, rsa_public_key text, algorithm text NOT NULL, tags text[])`);
    await q.query(`CREATE TABLE acls (${BASE},
      consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
      "group" text NOT NULL, tags text[],
      CONSTRAINT acls_consumer_group_key UNIQUE (consumer_id, "group"))`);
    for (const table of ['keyauth_credentials', 'basicauth_credentials', 'jwt_secrets']) {
      await q.query(`CREATE INDEX ${table}_consumer_id_idx ON ${table} (consumer_id)`);
    }
    await q.query(`CREATE INDEX snis_certificate_id_idx ON snis (certificate_id)`);
    for (const table of TAGGED) {
      await q.query(`CREATE INDEX ${table}_tags_idx ON ${table} USING gin (tags)`);
    }

    // Kong 0.x `/apis`: each one is a service and a route; this keeps what the caller sent.
    await q.query(`CREATE TABLE apis (${BASE},
      name text NOT NULL UNIQUE,
      service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
      route_id uuid REFERENCES routes (id) ON DELETE SET NULL,
      definition jsonb NOT NULL)`);

    await q.query(`CREATE TABLE data_plane_nodes (
      id uuid PRIMARY KEY, hostname text NOT NULL, ip text, region text NOT NULL DEFAULT 'default',
      labels jsonb NOT NULL DEFAULT '{}', version text, config_version bigint, config_hash text,
      last_seen timestamptz NOT NULL DEFAULT now(), sync_status text NOT NULL DEFAULT 'unknown', last_error jsonb)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'data_plane_nodes',
      'apis',
      'acls',
      'jwt_secrets',
      'basicauth_credentials',
      'keyauth_credentials',
      'plugins',
      'targets',
      'upstreams',
      'consumers',
      'routes',
      'services',
      'snis',
      'ca_certificates',
      'certificates',
      'audit_log',
      'config_changes',
      'config_state',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

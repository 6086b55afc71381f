import { Client } from 'pg';

/** Creates the database named in the URL when it is missing (npm start on a fresh machine). */
export async function ensureDatabase(databaseUrl: string, schema: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const probe = new Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
    url.pathname = '/postgres';
    const admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (createErr) {
      // Another replica created it first.
      if ((createErr as { code?: string }).code !== '42P04') throw createErr;
    } finally {
      await admin.end();
    }
    const retry = new Client({ connectionString: databaseUrl });
    await retry.connect();
    await retry.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await retry.end();
    return;
  }
  try {
    await probe.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await probe.end();
  }
}

/**
 * deploy/compose and deploy/docker without a Docker daemon: the compose file as `docker-compose
 * config` resolves it (Debian's docker-compose; .ci/run installs it), the Dockerfiles' stages
 * read as text, and the containers' health check run against status endpoints.
 */
import { freePort } from '@tollgate/testing';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const COMPOSE_DIR = join(ROOT, 'deploy', 'compose');
const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
const withCompose = hasCompose ? it : it.skip;
if (!hasCompose) console.warn('docker-compose is not installed: the compose file is not checked (apt-get install docker-compose)');

function composeConfig(envFile: string | null): { status: number | null; stdout: string; stderr: string } {
  const args = ['-f', join(COMPOSE_DIR, 'docker-compose.yml'), ...(envFile ? ['--env-file', envFile] : []), 'config'];
  // Run outside the compose directory, with none of its variables set, so only envFile counts.
  const result = spawnSync('docker-compose', args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

type ComposeService = { environment: Record<string, string>; depends_on?: Record<string, { condition: string }>; ports?: unknown[]; networks?: { default?: { aliases?: string[] } }; command?: string[] };

describe('deploy/compose/docker-compose.yml', () => {
  withCompose('resolves with example.env into two control-plane replicas, Postgres, Redis and a data plane in each of two regions', () => {
    const result = composeConfig(join(COMPOSE_DIR, 'example.env'));
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    const services = (parse(result.stdout) as { services: Record<string, ComposeService> }).services;
    expect(Object.keys(services).sort()).toEqual(['certs', 'control-plane-1', 'control-plane-2', 'data-plane-eu', 'data-plane-us', 'migrate', 'postgres', 'redis']);
    for (const replica of ['control-plane-1', 'control-plane-2']) {
      expect(services[replica].networks?.default?.aliases).toEqual(['control-plane']);
      expect(services[replica].environment).toMatchObject({ TOLLGATE_CLUSTER_MTLS: 'pki', TOLLGATE_CLUSTER_CERT: '/certs/control-plane.crt', TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: 'tgk_change-me-to-a-long-random-secret' });
      expect(services[replica].depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, certs: { condition: 'service_completed_successfully' } });
    }
    expect(services['data-plane-eu'].environment).toMatchObject({ TOLLGATE_REGION: 'eu', TOLLGATE_CONTROL_PLANE: 'control-plane:8005', TOLLGATE_CLUSTER_CERT: '/certs/data-plane-1.crt' });
    expect(services['data-plane-us'].environment).toMatchObject({ TOLLGATE_REGION: 'us', TOLLGATE_CONTROL_PLANE: 'control-plane:8005', TOLLGATE_CLUSTER_CERT: '/certs/data-plane-2.crt' });
    // The certificates come from the CLI's `cluster certs`, one per data plane.
    expect(services.certs.command!.join(' ')).toContain('cluster certs --mode pki --nodes 2 --out /certs');
  });

  withCompose('refuses to resolve without the secrets, naming the variable', () => {
    const result = composeConfig(null);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set POSTGRES_PASSWORD in .env');
  });
});

function stages(app: string): string[] {
  return readFileSync(join(ROOT, 'deploy', 'docker', `${app}.Dockerfile`), 'utf8').split(/^FROM /m).slice(1);
}

describe('deploy/docker Dockerfiles', () => {
  it.each(['control-plane', 'data-plane', 'platform', 'cli'])('%s: builds in one stage, installs production packages in another, runs as a non-root user', (app) => {
    const [build, deps, runtime] = stages(app);
    expect(build).toMatch(/RUN npm ci --no-audit/);
    expect(build).toContain(`node tools/build/build-project.js ${app}`);
    expect(deps).toMatch(/RUN npm ci --omit=dev/);
    expect(runtime).toContain('COPY --from=deps --chown=root:root /app/node_modules ./node_modules');
    expect(runtime).not.toMatch(/--from=build\S* \S*node_modules/);
    expect(runtime).toContain(`/src/dist/apps/${app} ./apps/${app}`);
    expect(runtime).toMatch(/^USER node$/m);
  });

  it.each([
    ['control-plane', 'apps/control-plane/main.js'],
    ['data-plane', 'apps/data-plane/main.js'],
    ['platform', 'apps/platform/main.js'],
  ])('%s: checks health on its status endpoint and starts the built main.js', (app, main) => {
    const runtime = stages(app)[2];
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "healthcheck.js", "(control-plane|data-plane)"\]$/m);
    expect(runtime).toContain(`CMD ["node", "${main}"]`);
  });

  it('starts files the build makes', () => {
    expect(readFileSync(join(ROOT, 'apps', 'control-plane', 'project.json'), 'utf8')).toContain('build-project.js control-plane migrate.ts');
    expect(stages('control-plane')[0]).toContain('build-project.js control-plane migrate.ts');
    expect(existsSync(join(ROOT, 'apps', 'control-plane', 'src', 'migrate.ts'))).toBe(true);
  });
});

describe('deploy/docker/healthcheck.js', () => {
  let server: Server;
  let port: number;
  let answer: { status: number; body: object } = { status: 200, body: {} };

  beforeAll(async () => {
    port = await freePort();
    server = createServer((req, res) => {
      res.writeHead(req.url === '/status/ready' && answer.status === 200 ? 200 : answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, ...answer.body }));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const check = (args: string[], env: Record<string, string>) =>
    new Promise<number>((resolve) => execFile(process.execPath, [join(ROOT, 'deploy', 'docker', 'healthcheck.js'), ...args], { env }, (error) => resolve(error ? Number(error.code) : 0)));

  it('is healthy when the data plane status port answers 200, and not when it answers 503', async () => {
    answer = { status: 200, body: {} };
    expect(await check(['data-plane', '--ready'], { TOLLGATE_STATUS_LISTEN: `0.0.0.0:${port}` })).toBe(0);
    answer = { status: 503, body: {} };
    expect(await check(['data-plane', '--ready'], { TOLLGATE_STATUS_LISTEN: `0.0.0.0:${port}` })).toBe(1);
  });

  it('calls a control plane ready only while its database is reachable', async () => {
    answer = { status: 200, body: { database: { reachable: true } } };
    expect(await check(['control-plane', '--ready'], { TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${port}` })).toBe(0);
    answer = { status: 200, body: { database: { reachable: false } } };
    expect(await check(['control-plane', '--ready'], { TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${port}` })).toBe(1);
    expect(await check(['control-plane'], { TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${port}` })).toBe(0);
  });

  it('is unhealthy when nothing listens', async () => {
    expect(await check(['data-plane'], { TOLLGATE_STATUS_LISTEN: `127.0.0.1:${await freePort()}` })).toBe(1);
  });
});

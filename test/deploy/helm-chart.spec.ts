/**
 * deploy/helm/tollgate without a cluster or a helm binary: its values against values.schema.json
 * (ajv, as `helm install` checks them), and the manifests its templates render (a renderer of
 * the Go-template subset the chart uses) against the Kubernetes API schemas of kubernetes-models.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderChart } from './support/helm-template';

const CHART = join(__dirname, '..', '..', 'deploy', 'helm', 'tollgate');
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as object;
const defaults = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const validateValues = new Ajv({ allErrors: true, strict: false }).compile(schema);
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: Record<string, unknown>; stringData?: Record<string, string>; data?: Record<string, string> };
type Container = { name: string; env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; readinessProbe?: object; livenessProbe?: object; resources?: { requests?: Record<string, string> } };
type PodTemplate = { spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } } };

/** The part of values.yaml the tests change (replicas as unknown: a test sets a wrong type). */
interface ChartValues {
  admin: { bootstrapToken: string; existingSecret: string };
  database: { url: string; readUrl: string; schema: string; existingSecret: string };
  redis: { url: string; cluster: string; sentinels: string; keyPrefix: string };
  clusterCertificates: Record<string, string>;
  controlPlane: { replicas: unknown; replica?: unknown };
  dataPlane: { kind: string; regions: { name: string }[] };
  [key: string]: unknown;
}

/** What an operator passes on top of values.yaml (`--set admin.bootstrapToken=... -f certs.yaml`). */
function values(overrides: (v: ChartValues) => void = () => undefined): ChartValues {
  const v = structuredClone(defaults) as ChartValues;
  v.admin.bootstrapToken = 'tgk_0123456789abcdef0123';
  v.clusterCertificates = { existingSecret: '', caCert: PEM, controlPlaneCert: PEM, controlPlaneKey: PEM, dataPlaneCert: PEM, dataPlaneKey: PEM };
  overrides(v);
  return v;
}

function schemaErrors(v: unknown): string[] {
  return validateValues(v) ? [] : (validateValues.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The Kubernetes API schema of a manifest's apiVersion and kind (throws on a violation). */
function validateManifest(manifest: Manifest): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const model = require(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}`) as Record<string, new (data: unknown) => { validate(): void }>;
  new model[manifest.kind](manifest).validate();
}

const render = (v: ChartValues | Record<string, unknown>) => renderChart(CHART, { name: 'tg', namespace: 'tollgate', values: v }) as Manifest[];
const named = (manifests: Manifest[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name)!;
const podOf = (m: Manifest) => (m.spec as { template: PodTemplate }).template;

describe('deploy/helm/tollgate values.schema.json', () => {
  it('accepts values.yaml with the admin bootstrap token and certificates set', () => {
    expect(schemaErrors(values())).toEqual([]);
  });

  it('refuses values.yaml alone: the admin bootstrap token is required', () => {
    const errors = schemaErrors({ ...defaults });
    expect(errors).toEqual(expect.arrayContaining(['/admin/bootstrapToken must NOT have fewer than 16 characters']));
  });

  it.each([
    ['a replica count that is not a number', (v: ChartValues) => (v.controlPlane.replicas = 'two'), '/controlPlane/replicas must be integer'],
    ['a data-plane kind the chart does not make', (v: ChartValues) => (v.dataPlane.kind = 'StatefulSet'), '/dataPlane/kind must be equal to one of the allowed values'],
    ['a region name Kubernetes cannot label', (v: ChartValues) => (v.dataPlane.regions[0].name = 'EU West'), '/dataPlane/regions/0/name must match pattern'],
    ['Redis Cluster seed nodes without ports', (v: ChartValues) => (v.redis.cluster = 'redis-0,redis-1'), '/redis/cluster must match pattern'],
    ['Sentinel addresses without ports', (v: ChartValues) => (v.redis.sentinels = 'sentinel-0'), '/redis/sentinels must match pattern'],
    ['a read replica URL that is not Postgres', (v: ChartValues) => (v.database.readUrl = 'mysql://replica/db'), '/database/readUrl must match pattern'],
    ['a misspelt key', (v: ChartValues) => (v.controlPlane.replica = 3), '/controlPlane must NOT have additional properties'],
  ])('refuses %s, naming the value', (_what, change, message) => {
    expect(schemaErrors(values(change)).join('\n')).toContain(message);
  });
});

describe('deploy/helm/tollgate manifests', () => {
  const manifests = render(values());

  it('renders only manifests the Kubernetes API schemas accept', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) expect(() => validateManifest(manifest)).not.toThrow();
    // Also as DaemonSets, and with every Secret coming from outside the chart.
    const daemonSets = render(values((v) => (v.dataPlane.kind = 'DaemonSet')));
    const external = render(
      values((v) => {
        v.admin = { bootstrapToken: '', existingSecret: 'admin' };
        v.database.existingSecret = 'db';
        v.clusterCertificates = { existingSecret: 'certs' };
      }),
    );
    expect(external.filter((m) => m.kind === 'Secret')).toEqual([]);
    for (const manifest of [...daemonSets, ...external]) expect(() => validateManifest(manifest)).not.toThrow();
    expect(daemonSets.filter((m) => m.kind === 'DaemonSet').map((m) => m.metadata.name)).toEqual(['tg-data-plane-eu', 'tg-data-plane-us']);
  });

  it('catches a manifest the schemas refuse (the check can fail)', () => {
    const broken = structuredClone(named(manifests, 'Deployment', 'tg-control-plane'));
    (broken.spec as { replicas: unknown }).replicas = 'two';
    expect(() => validateManifest(broken)).toThrow(/replicas must be integer/);
  });

  it('makes a control-plane Deployment with the configured replicas, a Service and a PodDisruptionBudget', () => {
    expect(named(manifests, 'Deployment', 'tg-control-plane').spec!.replicas).toBe(2);
    expect(named(render(values((v) => (v.controlPlane.replicas = 3))), 'Deployment', 'tg-control-plane').spec!.replicas).toBe(3);
    expect(named(manifests, 'Service', 'tg-control-plane').spec!.ports).toEqual([
      { name: 'admin', port: 8001, targetPort: 'admin' },
      { name: 'cluster', port: 8005, targetPort: 'cluster' },
    ]);
    expect(named(manifests, 'PodDisruptionBudget', 'tg-control-plane').spec!.minAvailable).toBe(1);
  });

  it('makes a data-plane Deployment, Service and PodDisruptionBudget per region, syncing from the control-plane Service', () => {
    for (const region of ['eu', 'us']) {
      const deployment = named(manifests, 'Deployment', `tg-data-plane-${region}`);
      const env = Object.fromEntries(podOf(deployment).spec.containers[0].env!.map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ TOLLGATE_REGION: region, TOLLGATE_CONTROL_PLANE: 'tg-control-plane:8005', TOLLGATE_CLUSTER_MTLS: 'pki', TOLLGATE_DRAIN_TIMEOUT: '30000' });
      expect(named(manifests, 'Service', `tg-data-plane-${region}`).spec!.selector).toMatchObject({ 'tollgate.io/region': region });
      expect(named(manifests, 'PodDisruptionBudget', `tg-data-plane-${region}`).spec!.maxUnavailable).toBe(1);
    }
  });

  it('gives every pod probes, resource requests and a non-root user', () => {
    const workloads = manifests.filter((m) => ['Deployment', 'DaemonSet', 'Job'].includes(m.kind));
    expect(workloads.map((m) => m.kind).sort()).toEqual(['Deployment', 'Deployment', 'Deployment', 'Job']);
    for (const workload of workloads) {
      const pod = podOf(workload);
      expect(pod.spec.securityContext?.runAsNonRoot).toBe(true);
      for (const container of pod.spec.containers) {
        expect(container.resources?.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
        if (workload.kind !== 'Job') expect([container.name, container.readinessProbe, container.livenessProbe]).toEqual([container.name, expect.any(Object), expect.any(Object)]);
      }
    }
  });

  it('migrates in a pre-install/pre-upgrade hook Job, whose database Secret is a hook created before it', () => {
    const job = named(manifests, 'Job', 'tg-migrate');
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '0' });
    expect(podOf(job).spec.containers[0]).toMatchObject({ command: ['node', 'apps/control-plane/migrate.js'] });
    const database = named(manifests, 'Secret', 'tg-database');
    expect(Number(database.metadata.annotations!['helm.sh/hook-weight'])).toBeLessThan(0);
    expect(database.stringData!.DATABASE_URL).toBe('postgres://tollgate:change-me@postgres:5432/tollgate');
  });

  it('keeps the admin bootstrap token and the cluster certificates in Secrets the pods read', () => {
    expect(named(manifests, 'Secret', 'tg-admin').stringData).toEqual({ TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: 'tgk_0123456789abcdef0123' });
    const certs = named(manifests, 'Secret', 'tg-cluster-certs').data!;
    expect(Object.keys(certs).sort()).toEqual(['ca.crt', 'control-plane.crt', 'control-plane.key', 'data-plane.crt', 'data-plane.key']);
    expect(Buffer.from(certs['ca.crt'], 'base64').toString()).toBe(PEM);
    const env = podOf(named(manifests, 'Deployment', 'tg-control-plane')).spec.containers[0].env!;
    expect(env.find((e) => e.name === 'TOLLGATE_ADMIN_BOOTSTRAP_TOKEN')!.valueFrom!.secretKeyRef).toEqual({ name: 'tg-admin', key: 'TOLLGATE_ADMIN_BOOTSTRAP_TOKEN' });
  });

  it('refuses to render without a bootstrap token, as `helm template` does with `required`', () => {
    expect(() => render({ ...values(), admin: { bootstrapToken: '', existingSecret: '' } })).toThrow('admin.bootstrapToken (or admin.existingSecret) is required');
  });
});

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { clusterCertsCommand } from './cluster-certs.command';
import type { CommandIo } from './command-runner';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

const mode = (path: string) => statSync(path).mode & 0o777;
const cert = (dir: string, base: string) => new X509Certificate(readFileSync(join(dir, `${base}.crt`)));

/** Completes a TLS handshake the way the planes do: server demands a client certificate signed by its CA. */
async function handshake(server: { cert: Buffer; key: Buffer; ca: Buffer }, client: { cert: Buffer; key: Buffer; ca: Buffer }): Promise<boolean> {
  const srv = tls.createServer({ ...server, requestCert: true, rejectUnauthorized: true }, (socket) => socket.end('ok'));
  srv.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  try {
    return await new Promise<boolean>((resolve) => {
      const socket = tls.connect({ port, host: '127.0.0.1', servername: 'tollgate-cluster', ...client }, () => {
        socket.once('data', () => resolve(true));
      });
      socket.on('error', () => resolve(false));
      socket.on('close', () => resolve(false));
    });
  } finally {
    await new Promise((resolve) => srv.close(resolve));
  }
}

const files = (dir: string, base: string, ca: string) => ({
  cert: readFileSync(join(dir, `${base}.crt`)),
  key: readFileSync(join(dir, `${base}.key`)),
  ca: readFileSync(join(dir, `${ca}.crt`)),
});

describe('tollgate cluster certs', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tollgate-certs-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('shared mode writes one self-signed certificate for the cluster name, key 0600 in a 0700 directory', async () => {
    const io = capture();
    const out = join(root, 'certs');
    expect(await clusterCertsCommand({ mode: 'shared', out }, io)).toBe(0);

    expect(mode(out)).toBe(0o700);
    expect(mode(join(out, 'cluster.key'))).toBe(0o600);
    expect(mode(join(out, 'cluster.crt'))).toBe(0o644);
    const crt = cert(out, 'cluster');
    expect(crt.subject).toContain('CN=tollgate-cluster');
    expect(crt.issuer).toBe(crt.subject);
    expect(crt.verify(crt.publicKey)).toBe(true);
    expect(crt.subjectAltName).toContain('DNS:tollgate-cluster');
    expect(crt.checkPrivateKey(createPrivateKey(readFileSync(join(out, 'cluster.key'))))).toBe(true);
    expect(io.stdout).toEqual(
      expect.arrayContaining([
        'TOLLGATE_CLUSTER_MTLS=shared',
        `TOLLGATE_CLUSTER_CERT=${join(out, 'cluster.crt')}`,
        `TOLLGATE_CLUSTER_CERT_KEY=${join(out, 'cluster.key')}`,
      ]),
    );
    const shared = files(out, 'cluster', 'cluster');
    expect(await handshake(shared, shared)).toBe(true);
  });

  it('pki mode writes a CA, a control-plane certificate and one per data plane, each signed by the CA', async () => {
    const io = capture();
    expect(await clusterCertsCommand({ mode: 'pki', out: root, nodes: 2 }, io)).toBe(0);

    const ca = cert(root, 'ca');
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    for (const base of ['control-plane', 'data-plane-1', 'data-plane-2']) {
      const leaf = cert(root, base);
      expect(mode(join(root, `${base}.key`))).toBe(0o600);
      expect(leaf.subject).toContain(`CN=${base}`);
      expect(leaf.issuer).toBe(ca.subject);
      expect(leaf.ca).toBe(false);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.subjectAltName).toContain('DNS:tollgate-cluster');
    }
    expect(mode(join(root, 'ca.key'))).toBe(0o600);
    expect(cert(root, 'control-plane').keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(cert(root, 'data-plane-1').keyUsage).not.toContain('1.3.6.1.5.5.7.3.1');

    const text = io.stdout.join('\n');
    expect(text).toContain(`# data plane 2\nTOLLGATE_CLUSTER_MTLS=pki\nTOLLGATE_CLUSTER_CERT=${join(root, 'data-plane-2.crt')}`);
    expect(io.stdout.filter((l) => l === `TOLLGATE_CLUSTER_CA_CERT=${join(root, 'ca.crt')}`)).toHaveLength(3);
    expect(await handshake(files(root, 'control-plane', 'ca'), files(root, 'data-plane-1', 'ca'))).toBe(true);
  });

  it('a data plane holding a certificate of another cluster is refused', async () => {
    const other = join(root, 'other');
    expect(await clusterCertsCommand({ mode: 'pki', out: root, nodes: 1 }, capture())).toBe(0);
    expect(await clusterCertsCommand({ mode: 'pki', out: other, nodes: 1 }, capture())).toBe(0);
    const stranger = { ...files(other, 'data-plane-1', 'ca'), ca: readFileSync(join(root, 'ca.crt')) };
    expect(await handshake(files(root, 'control-plane', 'ca'), stranger)).toBe(false);
  });

  it('refuses to overwrite existing files, naming them, and leaves them as they were', async () => {
    writeFileSync(join(root, 'cluster.key'), 'precious');
    const io = capture();
    expect(await clusterCertsCommand({ mode: 'shared', out: root }, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain(`refusing to overwrite ${join(root, 'cluster.key')}`);
    expect(io.stderr.join('\n')).toContain('--force');
    expect(readFileSync(join(root, 'cluster.key'), 'utf8')).toBe('precious');
  });

  it('--force replaces existing files and gives the new key mode 0600 whatever the old file had', async () => {
    writeFileSync(join(root, 'cluster.key'), 'old');
    chmodSync(join(root, 'cluster.key'), 0o644);
    expect(await clusterCertsCommand({ mode: 'shared', out: root, force: true }, capture())).toBe(0);
    expect(readFileSync(join(root, 'cluster.key'), 'utf8')).toContain('PRIVATE KEY');
    expect(mode(join(root, 'cluster.key'))).toBe(0o600);
  });

  it('refuses --nodes in shared mode, where every node holds the same certificate', async () => {
    const io = capture();
    expect(await clusterCertsCommand({ mode: 'shared', out: root, nodes: 3 }, io)).toBe(1);
    expect(io.stderr[0]).toContain('--nodes applies to --mode pki only');
  });
});

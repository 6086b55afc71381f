import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';

/** The name the control plane's certificate carries and data planes check (SAN DNS). */
export const CLUSTER_SERVER_NAME = 'tollgate-cluster';

/**
 * How the planes authenticate each other. `shared`: one self-signed certificate both planes hold
 * (it is its own CA). `pki`: certificates signed by a cluster CA. `off`: plain text, development only.
 */
export type ClusterTlsMode = 'shared' | 'pki' | 'off';

export interface ClusterTls {
  readonly mode: ClusterTlsMode;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** The CA that signs the peer's certificate; in shared mode the certificate itself. */
  readonly ca?: Buffer;
}

export interface ClusterTlsFiles {
  readonly mode: ClusterTlsMode;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
}

function read(file: string | undefined, variable: string): Buffer {
  if (!file) throw new Error(`${variable} is required when cluster mTLS is on`);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file}: ${(err as Error).message}`);
  }
}

export function readClusterTls(files: ClusterTlsFiles): ClusterTls {
  if (files.mode === 'off') return { mode: 'off' };
  const cert = read(files.certFile, 'TOLLGATE_CLUSTER_CERT');
  const key = read(files.keyFile, 'TOLLGATE_CLUSTER_CERT_KEY');
  const ca = files.mode === 'shared' ? cert : read(files.caFile, 'TOLLGATE_CLUSTER_CA_CERT');
  return { mode: files.mode, cert, key, ca };
}

export function parseClusterTlsMode(value: string | undefined): ClusterTlsMode {
  const mode = value ?? 'shared';
  if (mode === 'shared' || mode === 'pki' || mode === 'off') return mode;
  throw new Error(`TOLLGATE_CLUSTER_MTLS: expected shared, pki or off, got '${mode}'`);
}

/** The control plane's side: a data plane must present a certificate signed by the cluster CA. */
export function clusterServerCredentials(tls: ClusterTls): grpc.ServerCredentials {
  if (tls.mode === 'off') return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(tls.ca!, [{ cert_chain: tls.cert!, private_key: tls.key! }], true);
}

/** The data plane's side: present its certificate, and accept only a control plane the CA signed. */
export function clusterChannel(tls: ClusterTls): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  if (tls.mode === 'off') return { credentials: grpc.credentials.createInsecure(), options: {} };
  return {
    credentials: grpc.credentials.createSsl(tls.ca!, tls.key!, tls.cert!),
    options: { 'grpc.ssl_target_name_override': CLUSTER_SERVER_NAME, 'grpc.default_authority': CLUSTER_SERVER_NAME },
  };
}

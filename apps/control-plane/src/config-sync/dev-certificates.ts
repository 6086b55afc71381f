import { generateSharedClusterCertificate, type ClusterTlsFiles } from '@tollgate/protocol';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `shared` mode with no certificate configured: use (and on first start generate) a development
 * certificate in `dir`, which a data plane on the same machine finds at the same default path.
 */
export function resolveClusterTlsFiles(files: ClusterTlsFiles, dir: string): ClusterTlsFiles {
  if (files.mode !== 'shared' || files.certFile || files.keyFile) return files;
  const certFile = join(dir, 'cluster.crt');
  const keyFile = join(dir, 'cluster.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const pair = generateSharedClusterCertificate();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, pair.key, { mode: 0o600 });
    writeFileSync(certFile, pair.cert, { mode: 0o644 });
  }
  return { ...files, certFile, keyFile };
}

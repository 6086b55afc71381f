import forge from 'node-forge';
import { generateKeyPairSync } from 'node:crypto';
import { CLUSTER_SERVER_NAME } from './cluster-credentials';

export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

// Keys come from node's native RSA (forge's pure-JS generation takes seconds); forge signs.
function keyPair(): forge.pki.rsa.KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey,
  };
}

function baseCertificate(publicKey: forge.pki.PublicKey, commonName: string, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * YEAR_MS);
  const subject = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Tollgate' }];
  cert.setSubject(subject);
  return cert;
}

function leafExtensions(isServer: boolean): object[] {
  return [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: isServer, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: CLUSTER_SERVER_NAME }] },
  ];
}

function toPem(cert: forge.pki.Certificate, keys: forge.pki.rsa.KeyPair): PemPair {
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** `shared` mode: one self-signed certificate, usable as server and client, its own CA. */
export function generateSharedClusterCertificate(years = 3): PemPair {
  const keys = keyPair();
  const cert = baseCertificate(keys.publicKey, CLUSTER_SERVER_NAME, years);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: CLUSTER_SERVER_NAME }] },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return toPem(cert, keys);
}

/** `pki` mode: a cluster CA. */
export function generateClusterCa(years = 10): PemPair {
  const keys = keyPair();
  const cert = baseCertificate(keys.publicKey, 'Tollgate cluster CA', years);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return toPem(cert, keys);
}

/** `pki` mode: a control-plane (server) or data-plane (client) certificate signed by the CA. */
export function issueClusterCertificate(ca: PemPair, commonName: string, role: 'control-plane' | 'data-plane', years = 3): PemPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const keys = keyPair();
  const cert = baseCertificate(keys.publicKey, commonName, years);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions(leafExtensions(role === 'control-plane'));
  cert.sign(caKey, forge.md.sha256.create());
  return toPem(cert, keys);
}

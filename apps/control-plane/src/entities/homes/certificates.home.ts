import { caCertificates, certificates, snis, type FieldErrors } from '@tollgate/config';
import { withOrganization } from '../../organizations/organization-field';
import { defineHome } from '../entity-home';
import { certificateDigest, certificateMatchesKey } from '../entity-secrets';

/** Kong refuses a certificate whose key is not its own: the data plane could never serve it. */
function checkKeyPairs(value: Record<string, unknown>, _ctx: unknown, errors: FieldErrors): void {
  const mismatched: string[] = [];
  if (!errors.cert && !errors.key && !certificateMatchesKey(value.cert as string, value.key as string)) {
    mismatched.push('certificate does not match key');
  }
  if (value.cert_alt && value.key_alt && !errors.cert_alt && !errors.key_alt && !certificateMatchesKey(value.cert_alt as string, value.key_alt as string)) {
    mismatched.push('alternative certificate does not match key');
  }
  if (mismatched.length === 0) return;
  const entity = errors['@entity'];
  errors['@entity'] = [...(Array.isArray(entity) ? entity : []), ...mismatched];
}

export const certificatesHome = defineHome({
  definition: withOrganization(certificates),
  tenancy: { kind: 'owned' },
  rules: { check: checkKeyPairs, sniShorthand: true },
});

export const snisHome = defineHome({
  definition: snis,
  tenancy: { kind: 'inherited', field: 'certificate', parent: 'certificates' },
});

export const caCertificatesHome = defineHome({
  definition: caCertificates,
  rules: {
    generate(value) {
      value.cert_digest = certificateDigest(value.cert as string);
    },
  },
});

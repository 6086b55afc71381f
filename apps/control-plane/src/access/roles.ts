/**
 * The admin API's roles: `admin` everything; `operator` everything but admin tokens; `provider`
 * only its organization's entities and analytics; `billing-reader` reads analytics and billing;
 * `read-only` every GET.
 */
export const ROLES = ['admin', 'operator', 'provider', 'billing-reader', 'read-only'] as const;
export type Role = (typeof ROLES)[number];

import type { FieldErrors } from '../schema/field';

/** One reason a declarative file was refused, located by its path in the file. */
export interface DeclarativeError {
  /** Entity collection (`routes`), or the top-level key or `document` for errors outside entities. */
  readonly entity: string;
  /** Where in the file: `services[0].routes[1]`; empty for the document itself. */
  readonly path: string;
  readonly id?: string;
  /** The entity's name, username, target or plugin name, when it has one. */
  readonly name?: string;
  readonly message: string;
  readonly fields?: FieldErrors;
}

const SHOWN = 5;

/** Every error found in a declarative file, collected before anything is refused. */
export class DeclarativeConfigError extends Error {
  override readonly name = 'DeclarativeConfigError';
  readonly errors: readonly DeclarativeError[];

  constructor(errors: readonly DeclarativeError[], source?: string) {
    super(summarise(errors, source));
    this.errors = errors;
  }
}

function describe(error: DeclarativeError): string {
  const where = error.path || error.entity;
  const label = error.name !== undefined ? ` (${error.entity} '${error.name}')` : '';
  return `${where}${label}: ${error.message}`;
}

function summarise(errors: readonly DeclarativeError[], source: string | undefined): string {
  const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
  const head = `${source ? `${source}: ` : ''}invalid declarative config (${count})`;
  const lines = errors.slice(0, SHOWN).map((e) => `  - ${describe(e)}`);
  if (errors.length > SHOWN) lines.push(`  ... and ${errors.length - SHOWN} more`);
  return [head, ...lines].join('\n');
}

const LABEL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  services: ['name'],
  routes: ['name'],
  upstreams: ['name'],
  snis: ['name'],
  plugins: ['instance_name', 'name'],
  consumers: ['username', 'custom_id'],
  basicauth_credentials: ['username'],
  hmacauth_credentials: ['username'],
  targets: ['target'],
  acls: ['group'],
};

/** What an error calls the entity; never a secret such as an API key. */
export function entityLabel(collection: string, input: Record<string, unknown>): string | undefined {
  for (const field of LABEL_FIELDS[collection] ?? []) {
    const value = input[field];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** What `npm start -- [options]` asks for: today's one-region platform, or several regions. */
export interface PlatformOptions {
  /** Regions with a data plane each; `null` is the single `default` region of `npm start`. */
  readonly regions: readonly string[] | null;
  /** Control-plane replicas (processes of their own) when regions are given. */
  readonly controlPlanes: number;
  /** Added to every default port, so that two platforms (or a test) can run side by side. */
  readonly portOffset: number;
}

const USAGE = 'usage: main [--regions eu,us] [--control-planes 2] [--port-offset 0]';
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;

function parseRegions(value: string | undefined): string[] {
  const regions = (value ?? '').split(',').map((region) => region.trim());
  const bad = regions.find((region) => !REGION.test(region));
  if (bad !== undefined) throw new Error(`--regions: '${bad}' is not a region name (lowercase letters, digits and '-'). ${USAGE}`);
  if (new Set(regions).size !== regions.length) throw new Error(`--regions: a region is named twice. ${USAGE}`);
  return regions;
}

function parseCount(value: string | undefined): number {
  if (value === undefined || !/^[1-9]$/.test(value)) throw new Error(`--control-planes: expected a whole number from 1 to 9, got '${value ?? ''}'. ${USAGE}`);
  return Number(value);
}

function parseOffset(value: string | undefined): number {
  if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > 50_000) throw new Error(`--port-offset: expected a whole number from 0 to 50000, got '${value ?? ''}'. ${USAGE}`);
  return Number(value);
}

export function parsePlatformOptions(argv: readonly string[]): PlatformOptions {
  let regions: string[] | null = null;
  let controlPlanes: number | null = null;
  let portOffset = 0;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--regions') regions = parseRegions(value());
    else if (flag === '--control-planes') controlPlanes = parseCount(value());
    else if (flag === '--port-offset') portOffset = parseOffset(value());
    else throw new Error(`unknown argument '${argv[i]}'. ${USAGE}`);
  }
  if (regions === null && (controlPlanes !== null || portOffset !== 0)) return { regions: ['default'], controlPlanes: controlPlanes ?? 1, portOffset };
  return { regions, controlPlanes: controlPlanes ?? (regions === null ? 1 : 2), portOffset };
}

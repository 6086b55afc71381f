import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
}

/** The top-level packages `npm ci --omit=dev` would install, read from the lockfile. */
export function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/@]+$/.test(path) && !entry.dev && !entry.devOptional)
    .map(([path]) => path.slice('node_modules/'.length));
}

/**
 * What a production host has: the built apps in `dir/dist` (built here, outside the repository,
 * so nothing resolves from its node_modules) and beside them a node_modules holding only the
 * production packages (links into the installed tree: the set --omit=dev installs, no network).
 */
export function installForProduction(dir: string, apps: readonly string[]): string {
  const dist = join(dir, 'dist');
  for (const app of apps) execFileSync(process.execPath, [join(ROOT, 'tools', 'build', 'build-project.js'), app, '--out', dist], { stdio: 'pipe' });
  for (const name of productionPackages()) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
  return dist;
}

#!/usr/bin/env node
// `nx build <project>`: compiles one project, and every source file it imports, to plain
// CommonJS under dist/<root> (apps/<name> or libs/<name>), so that production runs
// `node dist/apps/<app>/main.js` with only the production dependencies installed.
//
// Each output directory is self-contained: the project's own src/ becomes its top level, a lib
// or another app it imports lands in libs/<name>/ or apps/<name>/ inside it, with the
// `@tollgate/*` path aliases rewritten to relative requires. Files read at run time (the .proto
// files) are copied beside the code. A bare import that is not a production dependency of the
// root package.json fails the build: dist must run after `npm ci --omit=dev`.
const swc = require('@swc/core');
const { builtinModules } = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
};
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
// Projects whose code reads these directories at run time (relative to the repository root).
const RUNTIME_ASSETS = { 'libs/protocol': ['proto'] };

function readAliases() {
  const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8'));
  return new Map(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(ROOT, target)]));
}

/** `apps/<name>` or `libs/<name>` of a source file. */
function projectRootOf(file) {
  const [kind, name, src] = path.relative(ROOT, file).split(path.sep);
  if ((kind !== 'apps' && kind !== 'libs') || src !== 'src') throw new Error(`${file}: not under apps/*/src or libs/*/src`);
  return `${kind}/${name}`;
}

function resolveSource(from, specifier, aliases) {
  const base = aliases.get(specifier) ?? (specifier.startsWith('.') ? path.resolve(path.dirname(from), specifier) : null);
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts'), `${base}.json`]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve '${specifier}'`);
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

class ProjectBuild {
  constructor(projectRoot, distDir) {
    this.projectRoot = projectRoot;
    this.outDir = path.join(distDir, projectRoot);
    this.aliases = readAliases();
    this.dependencies = new Set(Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies));
    this.done = new Set();
    this.projects = new Set();
  }

  /** Where a source file's JavaScript goes in this project's output. */
  outputOf(file) {
    const owner = projectRootOf(file);
    const inProject = path.relative(path.join(ROOT, owner, 'src'), file).replace(/\.ts$/, '.js');
    return owner === this.projectRoot ? path.join(this.outDir, inProject) : path.join(this.outDir, owner, inProject);
  }

  run(entries) {
    fs.rmSync(this.outDir, { recursive: true, force: true });
    const queue = [...entries];
    while (queue.length > 0) {
      const file = queue.pop();
      if (this.done.has(file)) continue;
      this.done.add(file);
      this.projects.add(projectRootOf(file));
      queue.push(...this.compile(file));
    }
    for (const project of this.projects) {
      for (const asset of RUNTIME_ASSETS[project] ?? []) fs.cpSync(path.join(ROOT, asset), path.join(this.outDir, asset), { recursive: true });
    }
    return this.done.size;
  }

  /** Compiles one file, rewriting its requires; returns the source files it requires. */
  compile(file) {
    const out = this.outputOf(file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (file.endsWith('.json')) {
      fs.copyFileSync(file, out);
      return [];
    }
    const { code, map } = swc.transformFileSync(file, { ...SWC_OPTIONS, filename: file, sourceFileName: path.relative(path.dirname(out), file) });
    const required = [];
    const rewritten = code.replace(/\brequire\("([^"]+)"\)/g, (call, specifier) => {
      const source = resolveSource(file, specifier, this.aliases);
      if (source === null) {
        this.checkExternal(file, specifier);
        return call;
      }
      required.push(source);
      const relative = path.relative(path.dirname(out), this.outputOf(source));
      return `require(${JSON.stringify(relative.startsWith('.') ? relative : `./${relative}`)})`;
    });
    fs.writeFileSync(out, `${rewritten}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    fs.writeFileSync(`${out}.map`, map);
    return required;
  }

  checkExternal(file, specifier) {
    if (BUILTINS.has(specifier) || this.dependencies.has(packageName(specifier))) return;
    throw new Error(`${path.relative(ROOT, file)}: '${specifier}' is not a production dependency in package.json`);
  }
}

function main() {
  const [name, ...rest] = process.argv.slice(2);
  const out = rest.indexOf('--out');
  const distDir = out >= 0 && rest[out + 1] ? path.resolve(rest[out + 1]) : path.join(ROOT, 'dist');
  // Entry points besides main.ts (or a lib's index.ts): `migrate.ts` for the control plane.
  const extra = rest.filter((arg, i) => arg.endsWith('.ts') && rest[i - 1] !== '--out');
  const projectRoot = ['apps', 'libs'].map((kind) => `${kind}/${name}`).find((root) => fs.existsSync(path.join(ROOT, root, 'project.json')));
  if (!name || !projectRoot) {
    console.error('usage: build-project.js <project name> [entry.ts ...] [--out <dist dir>] (an app under apps/ or a lib under libs/)');
    process.exit(2);
  }
  const entry = ['main.ts', 'index.ts'].map((file) => path.join(ROOT, projectRoot, 'src', file)).find((file) => fs.existsSync(file));
  const entries = [entry, ...extra.map((file) => path.join(ROOT, projectRoot, 'src', file))];
  const started = Date.now();
  const files = new ProjectBuild(projectRoot, distDir).run(entries);
  console.log(`${projectRoot}: ${files} files -> ${path.relative(process.cwd(), path.join(distDir, projectRoot))} in ${Date.now() - started} ms`);
}

main();

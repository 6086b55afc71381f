#!/usr/bin/env node
// After `nx run-many -t build`: dist/package.json and dist/package-lock.json, so that
// `cd dist && npm ci --omit=dev` installs exactly the production dependencies the lockfile
// pins (the lockfile needs the full package.json to match; --omit=dev skips the rest).
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const dist = path.join(ROOT, 'dist');
fs.mkdirSync(dist, { recursive: true });
const scripts = {
  start: 'node apps/platform/main.js',
  'control-plane': 'node apps/control-plane/main.js',
  'data-plane': 'node apps/data-plane/main.js',
  tollgate: 'node apps/cli/main.js',
};
fs.writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify({ ...pkg, scripts }, null, 2)}\n`);
fs.copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(dist, 'package-lock.json'));
console.log('dist/package.json and dist/package-lock.json written');

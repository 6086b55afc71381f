// Builds the billing dashboard (apps/control-plane/dashboard) into static files the control
// plane serves at /dashboard: one bundle with uPlot inside, so nothing is fetched from a CDN.
//   node tools/build-dashboard.js [outDir]   (default dist/dashboard)
const { buildSync } = require('esbuild');
const { copyFileSync, mkdirSync } = require('node:fs');
const { join, resolve } = require('node:path');

function buildDashboard(outDir) {
  const src = resolve(__dirname, '../apps/control-plane/dashboard');
  mkdirSync(outDir, { recursive: true });
  buildSync({ entryPoints: [join(src, 'main.ts')], bundle: true, minify: true, format: 'iife', target: 'es2020', outfile: join(outDir, 'app.js'), logLevel: 'warning' });
  copyFileSync(join(src, 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(src, 'dashboard.css'), join(outDir, 'dashboard.css'));
  copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), join(outDir, 'uPlot.min.css'));
  return outDir;
}

module.exports = { buildDashboard };
if (require.main === module) console.log(buildDashboard(resolve(process.argv[2] ?? join(__dirname, '../dist/dashboard'))));

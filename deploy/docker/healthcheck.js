#!/usr/bin/env node
// Container health check (Docker HEALTHCHECK, Kubernetes exec probes):
//   node healthcheck.js control-plane [--ready]   GET /status on TOLLGATE_ADMIN_LISTEN; --ready: and Postgres reachable
//   node healthcheck.js data-plane [--ready]      GET /status (--ready: /status/ready) on TOLLGATE_STATUS_LISTEN
// Exits 0 when healthy. It asks over loopback, so it works whether the port is published or not.
const http = require('node:http');

const [role, flag] = process.argv.slice(2);
const ready = flag === '--ready';
const listen = role === 'control-plane' ? process.env.TOLLGATE_ADMIN_LISTEN || '127.0.0.1:8001' : process.env.TOLLGATE_STATUS_LISTEN || '127.0.0.1:8100';
const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
const path = role === 'data-plane' && ready ? '/status/ready' : '/status';
const headers = process.env.TOLLGATE_ADMIN_BOOTSTRAP_TOKEN && role === 'control-plane' ? { authorization: `Bearer ${process.env.TOLLGATE_ADMIN_BOOTSTRAP_TOKEN}` } : {};

const request = http.get({ host: '127.0.0.1', port, path, headers, timeout: 4000 }, (response) => {
  let body = '';
  response.on('data', (chunk) => (body += chunk));
  response.on('end', () => {
    if (response.statusCode !== 200) process.exit(1);
    if (role === 'control-plane' && ready && JSON.parse(body).database?.reachable !== true) process.exit(1);
    process.exit(0);
  });
});
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));

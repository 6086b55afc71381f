'use strict';
// fast-gateway 3.4.7 (installed by run.sh into the scratch folder), one route: /bench/* -> upstream,
// path kept as is. fast-proxy-lite keeps a keep-alive agent to the upstream by default.
//   node fast-gateway-server.js <scratch dir> <listen port> <upstream url>
const { createRequire } = require('node:module');
const path = require('node:path');

const [scratch, port, upstream] = process.argv.slice(2);
const gateway = createRequire(path.join(path.resolve(scratch), 'package.json'))('fast-gateway');

const server = gateway({
  routes: [{ prefix: '/bench', prefixRewrite: '/bench', target: upstream }],
});
server.start(Number(port), '127.0.0.1').then(() => console.log(`fast-gateway on 127.0.0.1:${port} -> ${upstream}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));

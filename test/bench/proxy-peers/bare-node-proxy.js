'use strict';
// The "bare node:http proxy" of issue 4's targets: the least a Node.js reverse proxy can do, with a
// keep-alive agent to the upstream and nothing else (no routing, no plugins, no header rewriting
// beyond dropping hop-by-hop headers). Tollgate must beat it with its whole pipeline running.
//
//   node bare-node-proxy.js <listen host:port> <upstream host:port>
const http = require('node:http');

const [listen = '127.0.0.1:18095', upstream = '127.0.0.1:18080'] = process.argv.slice(2);
const [listenHost, listenPort] = listen.split(':');
const [upstreamHost, upstreamPort] = upstream.split(':');
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];
const agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512, keepAliveMsecs: 60_000 });

function withoutHopByHop(headers) {
  for (const name of HOP_BY_HOP) delete headers[name];
  return headers;
}

const server = http.createServer((req, res) => {
  const upstreamReq = http.request(
    { host: upstreamHost, port: upstreamPort, method: req.method, path: req.url, headers: withoutHopByHop({ ...req.headers }), agent },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode, withoutHopByHop(upstreamRes.headers));
      upstreamRes.pipe(res);
    },
  );
  upstreamReq.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('bad gateway\n');
  });
  req.pipe(upstreamReq);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(listenPort), listenHost, () => console.log(`bare node:http proxy on ${listen} -> ${upstream}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));

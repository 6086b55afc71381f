'use strict';
// Express Gateway 1.x (installed by run.sh into the scratch folder), run on a config dir that
// gen-configs.js wrote (gateway.config.yml, system.config.yml, models/).
//   node express-gateway-server.js <scratch dir> <config dir>
const { createRequire } = require('node:module');
const path = require('node:path');

const [scratch, configDir] = process.argv.slice(2);
const gateway = createRequire(path.join(path.resolve(scratch), 'package.json'))('express-gateway');

gateway().load(path.resolve(configDir)).run();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));

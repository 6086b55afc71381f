// Runs the TypeScript sources directly (swc, with decorator metadata for NestJS and the
// tsconfig path aliases of the monorepo), so `npm start` needs no build step.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');

# syntax=docker/dockerfile:1
# Tollgate data-plane: built in the repository, run as plain JavaScript with production packages only.
#   docker build -f deploy/docker/data-plane.Dockerfile -t tollgate/data-plane .

# 1. Build: the whole toolchain, then `tools/build` writes dist/apps/data-plane and dist/package.json.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY tools tools
COPY proto proto
COPY libs libs
COPY apps apps
RUN node tools/build/build-project.js data-plane && node tools/build/write-dist-package.js

# 2. Production packages only (no TypeScript, no swc): what `npm ci --omit=dev` installs.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY --from=build /src/dist/package.json /src/dist/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: node, the production packages and the built app, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist/package.json ./
COPY --from=build --chown=root:root /src/dist/apps/data-plane ./apps/data-plane
COPY --chown=root:root deploy/docker/healthcheck.js ./
ENV TOLLGATE_STATUS_LISTEN=0.0.0.0:8100 TOLLGATE_PREFIX=/var/lib/tollgate
RUN mkdir -p /var/lib/tollgate && chown node:node /var/lib/tollgate
VOLUME /var/lib/tollgate
USER node
EXPOSE 8000 8443 8100
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "healthcheck.js", "data-plane"]
CMD ["node", "apps/data-plane/main.js"]

# syntax=docker/dockerfile:1
# One image for every platform process (gateway, worker, legacy adapter, legacy monolith,
# simulators and the one-shot migrate): docker-compose.yml picks the entry point with `command`.
# Each runs from its TypeScript source through SWC (@swc-node/register, a runtime dependency),
# exactly as the local stack runs it (tools/src/stack/apps.ts), so there is no second way of
# starting an app to keep in step. The worker's workflow bundle is the one thing built ahead:
# webpack at every container start would cost seconds of CPU for the same output.
# The major follows tools/versions.env NODE_VERSION (checked by tools/toolchain/check-compose.sh).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# Runtime dependencies only (no jest, eslint, nx): `npm ci` installs the lock file exactly.
# TypeScript stays, as the peer dependency @swc-node/register reads tsconfig with.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# The workflow bundle, made with those same dependencies from the same sources the image holds.
FROM dependencies AS workflow-bundle
COPY . .
RUN npm run -s build:workflow-bundle -- /app/dist/workflow-bundle.js

FROM ${NODE_IMAGE}
WORKDIR /app
ENV SWC_NODE_PROJECT=/app/tsconfig.json \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY --from=dependencies /app/node_modules ./node_modules
# Sources and bundle stay owned by root: the apps only read them.
COPY . .
COPY --from=workflow-bundle /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
USER node
CMD ["node", "--enable-source-maps", "-r", "@swc-node/register", "apps/gateway/src/main.ts"]

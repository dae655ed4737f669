# syntax=docker/dockerfile:1
# One image for every platform process (gateway, worker, legacy adapter, legacy monolith and the
# one-shot migrate): docker-compose.yml picks the entry point with `command`. Each runs from its
# TypeScript source through SWC, exactly as the local stack runs it (tools/src/stack/apps.ts), so
# there is no separate build step and no second way of starting an app to keep in step.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# Dev dependencies included: @swc-node/register reads tsconfig through typescript, and the
# image must resolve the workspace's @order-platform/* paths as the local stack does.
# `npm install`, not `npm ci`: the lock file lists only the native optional packages of the
# platform it was written on (see tools/platform.sh); install fetches the image's own.
RUN npm install --no-audit --no-fund --loglevel=error

FROM ${NODE_IMAGE}
WORKDIR /app
ENV SWC_NODE_PROJECT=/app/tsconfig.json
COPY --from=dependencies /app/node_modules ./node_modules
# Sources stay owned by root: the apps only read them.
COPY . .
USER node
CMD ["node", "--enable-source-maps", "-r", "@swc-node/register", "apps/gateway/src/main.ts"]

#!/usr/bin/env bash
# `npm run test:temporal-server [-- <jest options>]`: a chosen set of real-stack suites against
# the Temporal server itself (STACK_TEMPORAL=server: the server built from its Go module, on the
# stack's PostgreSQL, with its Web UI server) instead of the dev server `npm test` uses. Opt-in,
# not part of `npm test`: the first run builds the server (several minutes on 2 cores).
# TEMPORAL_SERVER_SUITES replaces the set (a Jest --testPathPatterns regex).
set -euo pipefail
cd "$(dirname "$0")/.."
# Search attributes through the CLI, an order's whole life through the gateway (with the Web UI
# link an operator follows), the worker's journey, and several workers sharing one schedule and
# one backlog monitor through visibility queries.
DEFAULT_SUITES='(tools/src/stack/temporal|apps/gateway/src/gateway-api|apps/worker/src/(order-journey|several-workers))\.int-spec\.ts$'
export STACK_TEMPORAL=server
timeout --foreground 2400 npx jest --selectProjects integration --ci --runInBand \
  --testPathPatterns "${TEMPORAL_SERVER_SUITES:-$DEFAULT_SUITES}" "$@"

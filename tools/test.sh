#!/usr/bin/env bash
# `npm test`: type check, lint, the compose file and Helm chart checks, unit tests, then the
# integration suites against a real stack the suite starts on free ports and stops afterwards.
# Stops at the first failing step with its exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

step() { printf '\n\033[1m== %s\033[0m\n' "$1" >&2; }
start=$(date +%s)

step "type check (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json

step "lint (eslint with Nx module boundaries, prettier)"
# The boundary rule reads Nx's project graph; computing it first makes the rule run, not skip.
npx nx show projects >/dev/null
npx eslint --max-warnings=0 .
npx prettier --check . --log-level=warn

step "docker-compose.yml (same stack, same variable names)"
bash tools/toolchain/check-compose.sh

step "Helm chart (rendered, validated offline, same variable names and topics)"
bash tools/toolchain/check-helm.sh

step "unit tests"
npx jest --selectProjects unit --ci

# The suites on Temporal's Java time-skipping test server run in a Jest process of their own,
# first: in one long process after the platform suites, they have hung now and then (idle, past
# every test timeout) for reasons not yet understood. Each run has a hard limit, so a hang fails
# the run in minutes, with its name, instead of eating CI's 90.
TIME_SKIPPING_SUITES='(workflows/src/.*|tools/src/stack/time-skipping)\.int-spec\.ts$'
step "integration tests on the time-skipping test server (workflows)"
timeout --foreground 900 npx jest --selectProjects integration --ci --runInBand \
  --testPathPatterns "$TIME_SKIPPING_SUITES"

step "integration tests (real Temporal, Kafka, PostgreSQL)"
# Every other suite: a pattern no time-skipping path matches (a negative look-ahead), so the
# preset's testPathIgnorePatterns stay as they are (a --testPathIgnorePatterns would replace them).
timeout --foreground 1800 npx jest --selectProjects integration --ci --runInBand \
  --testPathPatterns "^(?!.*$TIME_SKIPPING_SUITES)"

# Faults stop and restart the stack's own services, so they get a stack of their own, last.
step "fault injection (a stack of its own: worker, Temporal, Kafka, PostgreSQL broken on purpose)"
timeout --foreground 1200 npx jest --selectProjects faults --ci --runInBand

printf '\nall checks passed in %ss\n' "$(( $(date +%s) - start ))" >&2

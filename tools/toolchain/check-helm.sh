#!/usr/bin/env bash
# Checks the Helm chart (deploy/helm/order-platform) offline: nothing is downloaded to validate (the
# first build fetches helm's Go modules, as the compose check's does), in these steps:
#  1. `helm lint --strict` and `helm template` with each values file: the default values (with
#     placeholder secrets, as a user must set them), values-production.yaml, and a demo render
#     with every optional part on (simulators, sample monolith, KEDA, Strimzi, CloudNativePG);
#  2. tools/helm-check/main.go validates every rendered object: Kubernetes kinds decoded strictly
#     into the k8s.io/api types helm is built with, operator kinds against crd-schemas/, and the
#     references between objects;
#  3. tools/helm-check/consistency.ts compares the objects with the local stack and
#     docker-compose.yml (entry points, ports, variable names, topics), and must reject a render
#     with a mistake of each kind it checks;
#  4. a render without the secrets must refuse and say why; three legacy adapters render
#     (active/standby), rolled one at a time.
# Before that, the validator is shown a file of broken objects and must report each of them.
# helm and the validator are built from tools/helm-check/go.mod once into the cache, keyed by the
# helm version and a hash of the sources. Usage: check-helm.sh
source "$(dirname "$0")/common.sh"
repo="$(dirname "$TOOLS_DIR")"
chart="$repo/deploy/helm/order-platform"
src="$TOOLS_DIR/helm-check"

grep -q "helm.sh/helm/v3 $HELM_VERSION\b" "$src/go.mod" || {
  log "tools/helm-check/go.mod does not require helm $HELM_VERSION (tools/versions.env): update both together"
  exit 1
}
sources_hash="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)"
dir="$ORDER_PLATFORM_CACHE/helm-check/$HELM_VERSION-$sources_hash"
build() {
  [ -x "$dir/helm" ] && [ -x "$dir/helm-check" ] && return
  command -v go >/dev/null || { log "Go 1.25 or newer is required to build helm (https://go.dev/dl)"; exit 1; }
  log "building helm $HELM_VERSION and the chart validator (first run only: about 3 minutes on 2 cores)"
  (
    cd "$src"
    export GOFLAGS="-trimpath -mod=readonly -buildvcs=false"
    # As helm's Makefile does: the Kubernetes version it renders for (.Capabilities.KubeVersion,
    # the deprecation lint) is that of its k8s.io modules, v0.35 -> 1.35.
    local k8s_minor flags
    k8s_minor="$(sed -n 's/^\s*k8s\.io\/api v0\.\([0-9]*\)\..*/\1/p' go.mod)"
    flags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
    for pkg in pkg/lint/rules pkg/chartutil; do
      flags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$k8s_minor"
    done
    go build -ldflags="-s -w $flags" -o "$dir/helm.partial" helm.sh/helm/v3/cmd/helm
    go build -ldflags="-s -w" -o "$dir/helm-check.partial" .
  ) >&2
  mv "$dir/helm.partial" "$dir/helm" && mv "$dir/helm-check.partial" "$dir/helm-check"
}
with_lock "$dir" build
compose_check="$(bash "$(dirname "$0")/compose-check.sh")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# helm keeps no repositories, plugins or cache of the user's here: nothing to reach, nothing kept.
export HELM_CONFIG_HOME="$work/helm" HELM_CACHE_HOME="$work/helm" HELM_DATA_HOME="$work/helm"
helm() { "$dir/helm" "$@"; }

placeholder="chart-check-placeholder-0123456789abcdef"
export GATEWAY_JWT_SECRET="$placeholder" FULFILLMENT_WEBHOOK_SECRET="$placeholder" PAYLOAD_CODEC_KEYS="$placeholder"
"$compose_check" "$repo/docker-compose.yml" >"$work/compose.json"

secrets=()
for key in DATABASE_URL LEGACY_DATABASE_URL SIMULATORS_DATABASE_URL; do
  secrets+=(--set "secrets.values.$key=postgres://user:password@postgres:5432/db")
done
secrets+=(--set "secrets.values.GATEWAY_JWT_SECRET=$placeholder" --set "secrets.values.FULFILLMENT_WEBHOOK_SECRET=$placeholder" --set "secrets.values.PAYLOAD_CODEC_KEYS=$placeholder")

check() {
  local name="$1"; shift
  helm lint --strict --quiet "$chart" "$@" >"$work/lint.txt" 2>&1 || { cat "$work/lint.txt" >&2; exit 1; }
  helm template orders "$chart" --namespace orders "$@" >"$work/$name.yaml"
  "$dir/helm-check" "$src/crd-schemas" <"$work/$name.yaml" >"$work/$name.json"
  (cd "$repo" && node --enable-source-maps -r @swc-node/register tools/helm-check/consistency.ts \
    "$name" "$work/compose.json" <"$work/$name.json")
}
# The validator first proves it still refuses what it must (tools/helm-check/testdata/broken.yaml:
# one mistake per object, each expected complaint in broken.expected), so a validator that accepts
# anything fails.
if "$dir/helm-check" "$src/crd-schemas" <"$src/testdata/broken.yaml" >/dev/null 2>"$work/broken.txt"; then
  log "helm-check accepted tools/helm-check/testdata/broken.yaml"; exit 1
fi
while IFS= read -r expected; do
  grep -qF -- "$expected" "$work/broken.txt" || {
    log "helm-check did not report: $expected"; cat "$work/broken.txt" >&2; exit 1
  }
done <"$src/testdata/broken.expected"

check default "${secrets[@]}"
check production -f "$chart/values-production.yaml"
check demo "${secrets[@]}" -f "$chart/values-demo.yaml"

# The comparison with the local stack must fail, too, on values that break it: a variable neither
# compose nor docs/configuration.md has for the app, one compose sets for another app only, a topic
# that cannot lose a broker, a pre-install hook waiting for the release's database, an internal
# app opened to clients, metrics opened to addresses rather than a Prometheus by selector, a budget
# that blocks every eviction, another Kafka version.
helm template orders "$chart" -f "$chart/values-production.yaml" \
  --set apps.worker.env.NOT_A_PLATFORM_VARIABLE=1 --set apps.gateway.env.MONOLITH_URL=http://m \
  --set strimzi.minInsyncReplicas=3 --set migrations.installHook=pre-install \
  --set apps.worker.public=true --set 'metrics.scrapeFrom[0].ipBlock.cidr=0.0.0.0/0' \
  --set apps.facade.pdb.minAvailable=3 --set strimzi.kafkaVersion=3.8.0 |
  "$dir/helm-check" "$src/crd-schemas" 2>/dev/null >"$work/broken.json"
if (cd "$repo" && node --enable-source-maps -r @swc-node/register tools/helm-check/consistency.ts \
  broken "$work/compose.json" <"$work/broken.json" 2>"$work/inconsistent.txt"); then
  log "consistency.ts accepted a render that breaks the local stack's names and rules"; exit 1
fi
for expected in "worker sets NOT_A_PLATFORM_VARIABLE, which docker-compose.yml does not set" \
  "worker sets NOT_A_PLATFORM_VARIABLE, which docs/configuration.md does not document" \
  'gateway sets MONOLITH_URL, which docker-compose.yml does not set for "gateway"' \
  "min.insync.replicas 3 leaves no broker to lose of 3" "runs pre-install but reads Secret" \
  "opens worker beyond the release" "minAvailable 3 with at least 3 replicas" \
  "opens legacy-adapter to more than a Prometheus by selector on its http port" \
  "Kafka runs 3.8.0"; do
  grep -qF -- "$expected" "$work/inconsistent.txt" || {
    log "consistency.ts did not report: $expected"; cat "$work/inconsistent.txt" >&2; exit 1
  }
done

# As docker-compose.yml refuses to start without a token key, the chart refuses to render.
if helm template orders "$chart" >"$work/refused.txt" 2>&1; then
  log "the chart rendered without its secrets; it must refuse"; exit 1
fi
grep -q "secrets.values.DATABASE_URL is required" "$work/refused.txt" || {
  log "the chart refused without its secrets, but not by naming the missing value:"; cat "$work/refused.txt" >&2; exit 1
}
# Several legacy adapters are active/standby (leader election in PostgreSQL): they render, rolled
# one at a time so a standby is up before the leader goes.
helm template orders "$chart" "${secrets[@]}" --set apps.legacy-adapter.replicas=3 \
  --show-only templates/deployments.yaml >"$work/adapters.yaml"
node -e '
  const docs = require("fs").readFileSync(process.argv[1], "utf8").split(/^---$/m);
  const adapter = docs.find((d) => /kind: Deployment/.test(d) && /component: legacy-adapter/.test(d));
  if (!adapter || !/^  replicas: 3$/m.test(adapter) || !/type: RollingUpdate/.test(adapter)) {
    console.error("the chart did not render three legacy adapters rolled one at a time"); process.exit(1);
  }' "$work/adapters.yaml" || { log "three legacy adapters: see above"; exit 1; }
log "deploy/helm/order-platform: renders, validates, and matches the local stack (default, production, demo values)"

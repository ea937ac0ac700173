#!/usr/bin/env bash
# Brings up the local demo cluster; idempotent (run it again to rebuild and redeploy the operator):
#   1. kind cluster "$KIND_CLUSTER_NAME" (created if absent)
#   2. operator image built from operator/Dockerfile and loaded into kind
#   3. the chart installed (metrics Service as NodePort 30080 for Prometheus)
#   4. demo ChallengeDefinitions and the workload generator
#   5. Prometheus's container joined to the kind network so it can scrape the NodePort
# Runs inside the compose service kind-bootstrap (docker socket mounted) or directly on a host with docker, kind,
# kubectl and helm.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cluster="${KIND_CLUSTER_NAME:-hexactf}"
image="${OPERATOR_IMAGE:-hexactf/challenge-operator:dev}"
operator_ns="${OPERATOR_NAMESPACE:-hexactf}"
demo_ns="${DEMO_NAMESPACE:-hexactf-demo}"
metrics_node_port="${METRICS_NODE_PORT:-30080}"
# Set by docker-compose.yaml: this container's and Prometheus's names, to join them to the kind network.
self_container="${BOOTSTRAP_CONTAINER:-}"
prometheus_container="${PROMETHEUS_CONTAINER:-}"

log() { printf '[up] %s\n' "$*"; }

if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  log "kind cluster $cluster exists"
else
  log "creating kind cluster $cluster"
  kind create cluster --name "$cluster" --config "$repo/deploy/kind/kind-config.yaml" --wait 180s
fi

# Kubeconfig for the host (API server published on 127.0.0.1) under .cache/ (git-ignored).
mkdir -p "$repo/.cache/kind"
kind get kubeconfig --name "$cluster" >"$repo/.cache/kind/kubeconfig"
if [ -n "$self_container" ]; then
  # Inside a container 127.0.0.1 is not the host: join the kind network and use the node's name instead.
  docker network connect kind "$self_container" 2>/dev/null || true
  kubeconfig="$(mktemp)"
  kind get kubeconfig --internal --name "$cluster" >"$kubeconfig"
  export KUBECONFIG="$kubeconfig"
else
  export KUBECONFIG="$repo/.cache/kind/kubeconfig"
fi
kubectl cluster-info >/dev/null

log "building $image"
docker build -f "$repo/operator/Dockerfile" -t "$image" "$repo"
kind load docker-image "$image" --name "$cluster"

log "installing the chart into namespace $operator_ns (challenges in $demo_ns)"
# The local Prometheus scrapes from outside the cluster through the NodePort, plain HTTP without a token: the
# chart's metrics NetworkPolicy (in-cluster Prometheus only) and secure metrics would refuse it. Both are on by
# default; this development stack turns them off.
helm upgrade --install challenge-operator "$repo/operator/chart" \
  --namespace "$operator_ns" --create-namespace \
  --set image.repository="${image%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=Never \
  --set metrics.service.type=NodePort --set metrics.service.nodePort="$metrics_node_port" \
  --set "challengeNamespaces={$demo_ns}" \
  --set metrics.networkPolicy.enabled=false --set metrics.secure.enabled=false \
  --wait --timeout 5m
# Same tag on a rebuild: restart so the pods run the image just loaded.
kubectl -n "$operator_ns" rollout restart deployment/challenge-operator
kubectl -n "$operator_ns" rollout status deployment/challenge-operator --timeout 3m

log "demo definitions and workload in namespace $demo_ns"
kubectl create namespace "$demo_ns" --dry-run=client -o yaml | kubectl apply -f -
kubectl -n "$demo_ns" apply -f "$repo/operator/demo/definitions.yaml"
kubectl apply -f "$repo/deploy/kind/workload.yaml"
kubectl -n "$demo_ns" set image deployment/demo-workload workload="$image"
kubectl -n "$demo_ns" rollout restart deployment/demo-workload
kubectl -n "$demo_ns" rollout status deployment/demo-workload --timeout 3m

if [ -n "$prometheus_container" ]; then
  docker network connect kind "$prometheus_container" 2>/dev/null || true
  log "Prometheus ($prometheus_container) scrapes ${cluster}-control-plane:$metrics_node_port"
fi

log "ready. Grafana http://localhost:3000  Prometheus http://localhost:9090"
log "kubectl on the host: KUBECONFIG=.cache/kind/kubeconfig kubectl get challenges -A"

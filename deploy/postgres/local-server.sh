#!/usr/bin/env bash
# Starts a local PostgreSQL 15 server (Debian/Ubuntu package postgresql) for trying the cluster
# path on one machine and for the tests: a role `orchestrator` that may create databases and roles
# (the tests make a SELECT-only role and roles with odd passwords, and drop them), its
# password in ~/.pgpass (mode 0600, the standard place libpq and Npgsql read), and a database
# `orchestrator`. Needs root. Prints the connection URL to use (no password in it):
#   deploy/postgres/local-server.sh        ->  postgresql://orchestrator@localhost:5432/orchestrator
set -euo pipefail

[[ $(id -u) == 0 ]] || { echo "local-server.sh: run as root (it installs and starts PostgreSQL)" >&2; exit 2; }

if ! command -v pg_ctlcluster >/dev/null; then
  echo "== installing postgresql" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
[[ -n $version ]] || { echo "local-server.sh: no PostgreSQL cluster found (pg_lsclusters is empty)" >&2; exit 1; }
pg_lsclusters -h | awk '{print $4}' | grep -q online || pg_ctlcluster "$version" main start

psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"; }
for _ in $(seq 1 30); do psql_admin -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done

# The password lives only in ~/.pgpass (0600); it is made once and kept.
pgpass=${PGPASSFILE:-$HOME/.pgpass}
password=$(awk -F: '$1=="localhost" && $4=="orchestrator" {print $5; exit}' "$pgpass" 2>/dev/null || true)
if [[ -z $password ]]; then
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  umask 077
  echo "localhost:5432:*:orchestrator:$password" >> "$pgpass"
fi
chmod 600 "$pgpass"
# Run through sudo for a user (as ./test does), the file is that user's, not root's.
if [[ -n ${SUDO_USER:-} && $SUDO_USER != root ]]; then chown "$SUDO_USER:" "$pgpass"; fi

# The password goes to psql on stdin, never on a command line (which every user can read).
if [[ $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'orchestrator'") != 1 ]]; then
  psql_admin <<<"CREATE ROLE orchestrator LOGIN CREATEDB CREATEROLE PASSWORD '$password'"
else
  psql_admin <<<"ALTER ROLE orchestrator LOGIN CREATEDB CREATEROLE PASSWORD '$password'"
fi
[[ $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'orchestrator'") == 1 ]] || psql_admin -c "CREATE DATABASE orchestrator OWNER orchestrator"

echo "postgresql://orchestrator@localhost:5432/orchestrator"

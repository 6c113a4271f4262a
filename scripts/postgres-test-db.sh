#!/usr/bin/env bash
# Make sure a local PostgreSQL server is running and holds an empty test database, then print
# its SQLAlchemy URL on standard output (everything else goes to standard error).
#
# Used by `make test-postgres`; safe to run again and again. On a Debian/Ubuntu machine without
# PostgreSQL it installs the `postgresql` package when run as root. The role and the database are
# both called greenchannel_test; the role may create databases because tests/test_migrations.py
# builds the schema in a throw-away database of its own.
#
# Settings (environment): PG_VERSION and PG_CLUSTER pick the cluster (default: 15/main if it
# exists, else the first cluster pg_lsclusters lists); PGTEST_NAME and PGTEST_PASSWORD name the
# role/database and its password; PGTEST_KEEP=1 keeps the tables of the previous run.
set -euo pipefail

NAME="${PGTEST_NAME:-greenchannel_test}"
PASSWORD="${PGTEST_PASSWORD:-greenchannel_test}"

log() { echo "postgres-test-db: $*" >&2; }
die() { log "$*"; exit 1; }

# Run a command as the postgres operating-system user (peer authentication on the unix socket).
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && sudo -n -u postgres -- "$@")
    fi
}

install_postgresql() {
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed: run 'sudo apt-get install postgresql'" \
        "or point TEST_DATABASE_URL at a server of yours."
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available."
    log "installing PostgreSQL with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2 </dev/null
}

# "VERSION CLUSTER PORT STATUS" of the cluster to use, or nothing when there is none.
find_cluster() {
    local clusters
    clusters="$(pg_lsclusters --no-header 2>/dev/null || true)"
    if [ -n "${PG_VERSION:-}" ] || [ -n "${PG_CLUSTER:-}" ]; then
        echo "$clusters" | awk -v v="${PG_VERSION:-15}" -v c="${PG_CLUSTER:-main}" \
            '$1 == v && $2 == c {print $1, $2, $3, $4; exit}'
    elif echo "$clusters" | awk '$1 == "15" && $2 == "main" {found = 1} END {exit !found}'; then
        echo "$clusters" | awk '$1 == "15" && $2 == "main" {print $1, $2, $3, $4; exit}'
    else
        echo "$clusters" | awk 'NF >= 4 {print $1, $2, $3, $4; exit}'
    fi
}

command -v pg_ctlcluster >/dev/null || install_postgresql

cluster="$(find_cluster)"
if [ -z "$cluster" ]; then
    version="${PG_VERSION:-$(ls /usr/lib/postgresql | sort -n | tail -n 1)}"
    [ -n "$version" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql."
    [ "$(id -u)" -eq 0 ] || die "no PostgreSQL cluster: run 'sudo pg_createcluster $version main'."
    log "creating cluster $version/${PG_CLUSTER:-main} ..."
    pg_createcluster "$version" "${PG_CLUSTER:-main}" >&2
    cluster="$(find_cluster)"
fi
read -r version cluster_name port status <<<"$cluster"

if [[ "$status" != online* ]]; then
    log "starting PostgreSQL $version/$cluster_name on port $port ..."
    if [ "$(id -u)" -eq 0 ]; then
        pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster_name" start >&2
    else
        as_postgres pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster_name" start >&2
    fi
fi
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || die "PostgreSQL does not answer on 127.0.0.1:$port."

psql_admin() {
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -v name="$NAME" -v password="$PASSWORD" "$@"
}

# Role and database, created when missing; the password is (re)set so the URL below always works.
psql_admin -d postgres >&2 <<'SQL'
SELECT format('CREATE ROLE %I', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" WITH LOGIN CREATEDB PASSWORD :'password';
-- A test that waits on a lock it holds itself (two sessions of one process) fails after 20 s
-- with "canceling statement due to lock timeout" instead of hanging the whole run.
ALTER ROLE :"name" SET lock_timeout = '20s';
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'name', :'name', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
SQL

# Start from an empty schema so tables left by an older version of the models cannot get in the way.
if [ "${PGTEST_KEEP:-0}" != "1" ]; then
    psql_admin -d "$NAME" >&2 <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public AUTHORIZATION :"name";
SQL
fi

log "database $NAME ready on 127.0.0.1:$port (PostgreSQL $version/$cluster_name)."
echo "postgresql+psycopg://$NAME:$PASSWORD@127.0.0.1:$port/$NAME"

#!/usr/bin/env bash
# The suite twice: SQLite, then PostgreSQL. Without a reachable PostgreSQL the
# second run is skipped with a message, except under CI=true where it fails.
# One throw-away S3 store (scripts/ceph-rgw.sh) serves both runs; when it cannot
# start the S3 tests are skipped with a message, except under CI=true.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
export TEST_DATABASE_URL=$PG_URL

pg_reachable() {
  $PY - "$PG_URL" <<'PY' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
}

ensure_redis() {
  # The report-build tests use the local Redis when it is there.
  if ! $PY -c "import redis,sys; redis.Redis(socket_connect_timeout=1).ping()" >/dev/null 2>&1; then
    if command -v redis-server >/dev/null 2>&1; then
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 || true
    fi
  fi
}

S3_DIR=""
stop_s3() {
  if [ -n "$S3_DIR" ]; then scripts/ceph-rgw.sh stop "$S3_DIR" || true; fi
}
trap stop_s3 EXIT
trap 'exit 130' INT TERM  # so that the EXIT trap stops the store on Ctrl-C too

start_s3() {
  S3_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ceph-rgw.XXXXXX")
  local started=$SECONDS
  if scripts/ceph-rgw.sh start "$S3_DIR"; then
    set -a
    . "$S3_DIR/env"
    set +a
    export TEST_S3=1
    echo "S3 store (Ceph RADOS Gateway) at $S3_ENDPOINT_URL, started in $((SECONDS - started)) s"
    return 0
  fi
  rmdir "$S3_DIR" 2>/dev/null || true
  S3_DIR=""
  unset S3_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY TEST_S3
  if [ "${CI:-}" = "true" ]; then
    echo "S3 の試験用ストア（scripts/ceph-rgw.sh）を起動できません。CI では S3 の試験が必須です。" >&2
    exit 1
  fi
  echo "S3 の試験用ストア（scripts/ceph-rgw.sh）を起動できないため、S3 の試験を省略します。"
}

ensure_redis
start_s3
status=0
echo "=== pytest on SQLite ==="
TEST_DATABASE=sqlite $PY -m pytest -q -p no:cacheprovider "$@" || status=$?

echo "=== pytest on PostgreSQL ($PG_URL) ==="
if ! pg_reachable && [ "${CI:-}" = "true" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1 || true
  sleep 2
fi
if pg_reachable; then
  TEST_DATABASE=postgres $PY -m pytest -q -p no:cacheprovider "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL ($PG_URL) に接続できません。CI では PostgreSQL での試験が必須です。" >&2
  status=1
else
  echo "PostgreSQL ($PG_URL) に接続できないため、PostgreSQL での試験を省略しました。"
fi
exit $status

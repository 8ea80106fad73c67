# Sourced by .ci/run: a real PostgreSQL on 127.0.0.1 for tests/ingest/test_ingest_postgres.py.
# Debian's packages; the cluster is created and started when missing; exports TXNLP_TEST_PG_URL.
# In CI (CI=true) those tests fail, not skip, when the URL is missing, so a broken setup is seen.
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$PG_VERSION main"; then
    pg_createcluster "$PG_VERSION" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $4}' | grep -qx online; then
    pg_ctlcluster "$PG_VERSION" main start
fi
PG_PORT="$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $3}')"
_psql() { runuser -u postgres -- psql -p "$PG_PORT" -qtAX "$@"; }
_psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'txnlp'" | grep -q 1 \
    || _psql -c "CREATE ROLE txnlp LOGIN PASSWORD 'txnlp'"
_psql -c "SELECT 1 FROM pg_database WHERE datname = 'txnlp_test'" | grep -q 1 \
    || runuser -u postgres -- createdb -p "$PG_PORT" -O txnlp txnlp_test
export TXNLP_TEST_PG_URL="postgresql+psycopg://txnlp:txnlp@127.0.0.1:${PG_PORT}/txnlp_test"

#!/usr/bin/env bash
# Load benchmark: CS-EDC under gunicorn on PostgreSQL at two trial sizes, locust's users.
#
#   bench/run_load.sh                                   # 10,000 and 100,000 participants
#   BENCH_SIZES="20000 50000" BENCH_DURATION=120 bench/run_load.sh
#
# For each size N of BENCH_SIZES it uses its own database, ${BENCH_DB_BASE}_<N/1000>k (default
# postgres://postgres@127.0.0.1:5432/cs_edc_bench_10k and ..._100k): one holding fewer
# participants is dropped, migrated and filled by `generate_trial` (which ends with VACUUM
# (ANALYZE)); one that holds them is migrated, its stale derived values recomputed and
# vacuumed, so every run measures a vacuumed database. Each size gets its own Redis database
# (the cache and the report figures) and its own gunicorn, serving production settings
# (bench.settings) on 127.0.0.1:BENCH_PORT+i. Then one headless locust run (BENCH_USERS users
# spawned at once, BENCH_DURATION seconds, stats as CSV under var/bench/) requests the sizes'
# servers in turn, BENCH_PHASE_SECONDS each (bench/locustfile.py), so that every size is
# measured across the whole run under the same machine; bench/compare.py prints each page's
# p50/p95 at every size and the ratio of the largest to the smallest; bench/export_benchmark.py
# --keep prints the export per dataset against COPY on the largest.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
SIZES=$(tr ' ' '\n' <<<"${BENCH_SIZES:-10000 100000}" | sort -n | xargs)  # smallest first
SITES=${BENCH_SITES:-CH,RJ}
USERS=${BENCH_USERS:-20}
DURATION=${BENCH_DURATION:-200}  # with the logins and warm-ups, which are not measured
PHASE=${BENCH_PHASE_SECONDS:-15}
THINK=${BENCH_THINK:-0.5}
PORT=${BENCH_PORT:-8001}
WORKERS=${BENCH_WORKERS:-$((2 * $(nproc) + 1))}
DB_BASE=${BENCH_DB_BASE:-postgres://postgres@127.0.0.1:5432/cs_edc_bench}
PASSWORD=${BENCH_PASSWORD:-bench-password-2026}
OUT=var/bench
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
test -x .venv/bin/locust || .venv/bin/pip install --quiet -e '.[bench]'

export DJANGO_SETTINGS_MODULE=bench.settings
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}
export SECURE_SSL_REDIRECT=false DEBUG=false ALLOWED_HOSTS=127.0.0.1 EMAIL_URL=memorymail://
export BENCH_PASSWORD=$PASSWORD BENCH_SITES=$SITES BENCH_THINK=$THINK
# As in production (docker-compose.yml), the web processes share their cache through Redis:
# database BENCH_REDIS_DB (3) for the first size, the next for the next.
REDIS_SERVER=${BENCH_REDIS_SERVER:-redis://127.0.0.1:6379}
REDIS_DB=${BENCH_REDIS_DB:-3}
redis-cli -u "$REDIS_SERVER" ping >/dev/null || { echo "Redis does not answer at $REDIS_SERVER"; exit 1; }

GUNICORNS=()
stop_gunicorns() {
  for pid in ${GUNICORNS[@]+"${GUNICORNS[@]}"}; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  GUNICORNS=()
}
trap stop_gunicorns EXIT

db_urls=()
redis_urls=()
i=0
for N in $SIZES; do
  db_url="${DB_BASE}_$((N / 1000))k"
  export DATABASE_URL=$db_url REDIS_URL="$REDIS_SERVER/$((REDIS_DB + i))"
  db_urls+=("$db_url")
  redis_urls+=("$REDIS_URL")
  i=$((i + 1))
  db_name=${db_url##*/}
  db_server=${db_url%/*}
  have=$(psql "$db_url" -tAc "SELECT count(*) FROM enrollment_participant" 2>/dev/null || echo 0)
  if (( have < N )); then
    echo "== building $db_name: $N participants (it holds $have)"
    psql "$db_server/postgres" -qc "DROP DATABASE IF EXISTS \"$db_name\"" >/dev/null
    psql "$db_server/postgres" -qc "CREATE DATABASE \"$db_name\"" >/dev/null
    $PY manage.py migrate --noinput -v0
    start=$(date +%s)
    $PY manage.py generate_trial --participants "$N" --sites "$SITES" | tee "$OUT/generate-$N.log"
    echo "generation took $(( $(date +%s) - start )) s (migrate excluded, vacuum included)"
  else
    echo "== $db_name already holds $have participants"
    $PY manage.py migrate --noinput -v0  # the code may have moved on since it was built
    $PY manage.py recompute_derived --stale
    start=$(date +%s)
    psql "$db_url" -qc "VACUUM (ANALYZE)"
    echo "vacuumed (VACUUM (ANALYZE), $(( $(date +%s) - start )) s)"
  fi
  # What the load or the vacuum dirtied is written out now, not by a checkpoint during the run.
  psql "$db_url" -qc "CHECKPOINT"
  $PY manage.py axes_reset >/dev/null  # no lockout left by an interrupted run's logins
  redis-cli -u "$REDIS_URL" flushdb >/dev/null  # no figures left from an earlier run
  # The reports page shows figures that the beat task recomputes every few minutes
  # (reports.figures); compute them once before the run, as the beat would have.
  start=$(date +%s%N)
  $PY manage.py refresh_reports
  echo "(the report figures took $(( ($(date +%s%N) - start) / 1000000 )) ms to compute)"
done
$PY manage.py collectstatic --noinput -v0
$PY manage.py check --deploy --fail-level ERROR >/dev/null 2>&1

targets=()
i=0
for N in $SIZES; do
  port=$((PORT + i))
  echo "== gunicorn: $WORKERS sync workers on 127.0.0.1:$port, $N participants"
  DATABASE_URL=${db_urls[$i]} REDIS_URL=${redis_urls[$i]} \
    .venv/bin/gunicorn bench.wsgi:application --bind "127.0.0.1:$port" --workers "$WORKERS" \
    --timeout 120 --log-level warning --pid "$OUT/gunicorn-$port.pid" &
  GUNICORNS+=($!)
  for _ in $(seq 60); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/bench/floor/" && break
    sleep 0.5
  done
  targets+=("$N=http://127.0.0.1:$port")
  i=$((i + 1))
done
largest=${db_urls[-1]}

prefix="$OUT/load-$STAMP"
echo "== locust: $USERS users + the floor, spawned at once, ${DURATION}s, the sizes in turn for ${PHASE}s each"
BENCH_TARGETS="${targets[*]}" BENCH_PHASE_SECONDS=$PHASE \
  .venv/bin/locust -f bench/locustfile.py --headless --only-summary \
  --host "${targets[0]#*=}" --users "$((USERS + 1))" --spawn-rate "$((USERS + 1))" \
  --run-time "${DURATION}s" --stop-timeout 30 --csv "$prefix" \
  --loglevel WARNING >"$prefix.log" 2>&1 || true
stop_gunicorns

echo "== per page, p50/p95 at each size (vacuumed databases)"
status=0
$PY bench/compare.py "${prefix}_stats.csv" || status=$?

if [[ "${BENCH_EXPORT:-1}" == 1 ]]; then
  echo "== the export per dataset against COPY, $largest"
  DATABASE_URL=$largest DJANGO_SETTINGS_MODULE=trialsite.settings.dev \
    $PY bench/export_benchmark.py --keep
fi
exit $status

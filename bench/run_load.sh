#!/usr/bin/env bash
# Load benchmark: CS-EDC under gunicorn on PostgreSQL at two trial sizes, locust's users.
#
#   bench/run_load.sh                                   # 10,000 and 100,000 participants
#   BENCH_SIZES="20000" BENCH_DURATION=30 bench/run_load.sh
#
# For each size N of BENCH_SIZES it uses its own database, ${BENCH_DB_BASE}_<N/1000>k (default
# postgres://postgres@127.0.0.1:5432/cs_edc_bench_10k and ..._100k): one holding fewer
# participants is dropped, migrated and filled by `generate_trial` (which ends with VACUUM
# (ANALYZE)); one that holds them is migrated, its stale derived values recomputed and
# vacuumed, so every run measures a vacuumed database. Then gunicorn serves production
# settings (bench.settings) on 127.0.0.1, locust runs headless (BENCH_USERS users spawned at
# once, BENCH_DURATION seconds, stats as CSV under var/bench/), and at the end bench/compare.py
# prints each page's p50/p95 at every size and the ratio of the largest to the smallest;
# bench/export_benchmark.py --keep prints the export per dataset against COPY on the largest.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
SIZES=${BENCH_SIZES:-10000 100000}
SITES=${BENCH_SITES:-CH,RJ}
USERS=${BENCH_USERS:-20}
DURATION=${BENCH_DURATION:-90}  # with the logins and warm-ups, which are not measured
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
# As in production (docker-compose.yml), the web processes share their cache through Redis.
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/3}
redis-cli -u "$REDIS_URL" ping >/dev/null || { echo "Redis does not answer at $REDIS_URL"; exit 1; }
nsites=$(tr ',' '\n' <<<"$SITES" | wc -l)

GUNICORN=""
stop_gunicorn() {
  if [[ -n "$GUNICORN" ]]; then kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true; fi
  GUNICORN=""
}
trap stop_gunicorn EXIT

compare=()
largest=""
for N in $SIZES; do
  db_url="${DB_BASE}_$((N / 1000))k"
  export DATABASE_URL=$db_url
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
  per_site=$(( $(psql "$db_url" -tAc "SELECT count(*) FROM enrollment_participant") / nsites ))
  redis-cli -u "$REDIS_URL" flushdb >/dev/null  # no figures left from another size
  # The reports page shows figures that the beat task recomputes every few minutes
  # (reports.figures); compute them once before the run, as the beat would have.
  start=$(date +%s%N)
  $PY manage.py refresh_reports
  echo "(the report figures took $(( ($(date +%s%N) - start) / 1000000 )) ms to compute)"
  $PY manage.py collectstatic --noinput -v0
  $PY manage.py check --deploy --fail-level ERROR >/dev/null 2>&1

  echo "== gunicorn: $WORKERS sync workers on 127.0.0.1:$PORT, $N participants ($per_site per site)"
  .venv/bin/gunicorn bench.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --timeout 120 --log-level warning --pid "$OUT/gunicorn.pid" &
  GUNICORN=$!
  for _ in $(seq 60); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/bench/floor/" && break
    sleep 0.5
  done
  prefix="$OUT/load-$STAMP-$((N / 1000))k"
  echo "== locust: $USERS users + the floor, spawned at once, ${DURATION}s"
  BENCH_PER_SITE=$per_site .venv/bin/locust -f bench/locustfile.py --headless --only-summary \
    --host "http://127.0.0.1:$PORT" --users "$((USERS + 1))" --spawn-rate "$((USERS + 1))" \
    --run-time "${DURATION}s" --stop-timeout 30 --csv "$prefix" \
    --loglevel WARNING >"$prefix.log" 2>&1 || true
  stop_gunicorn
  compare+=("$N=${prefix}_stats.csv")
  largest=$db_url
done

echo "== per page, p50/p95 at each size (vacuumed databases)"
status=0
$PY bench/compare.py "${compare[@]}" || status=$?

if [[ "${BENCH_EXPORT:-1}" == 1 && -n "$largest" ]]; then
  echo "== the export per dataset against COPY, $largest"
  DATABASE_URL=$largest DJANGO_SETTINGS_MODULE=trialsite.settings.dev \
    $PY bench/export_benchmark.py --keep
fi
exit $status

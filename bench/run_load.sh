#!/usr/bin/env bash
# Load benchmark: CS-EDC under gunicorn on PostgreSQL, N participants, 20 simulated users.
#
#   bench/run_load.sh                      # 100,000 participants, 20 users, 60 s
#   BENCH_PARTICIPANTS=20000 BENCH_DURATION=30 bench/run_load.sh
#
# Uses its own database (BENCH_DATABASE_URL, default cs_edc_bench on 127.0.0.1): when it holds
# fewer participants than asked, it is dropped, migrated and filled by `generate_trial`.
# gunicorn serves production settings (bench.settings: trialsite.settings.production plus the
# floor view) over plain HTTP on 127.0.0.1 with SECURE_SSL_REDIRECT=false; the client says
# X-Forwarded-Proto: https as the TLS proxy would. Traffic goes to 127.0.0.1 only, and the
# run stops by itself (duration, per-user request budget, timeouts).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
N=${BENCH_PARTICIPANTS:-100000}
SITES=${BENCH_SITES:-CH,RJ}
USERS=${BENCH_USERS:-20}
DURATION=${BENCH_DURATION:-60}
THINK=${BENCH_THINK:-0.5}
PORT=${BENCH_PORT:-8001}
WORKERS=${BENCH_WORKERS:-$((2 * $(nproc) + 1))}
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cs_edc_bench}
PASSWORD=${BENCH_PASSWORD:-bench-password-2026}
OUT=var/bench
mkdir -p "$OUT"

export DATABASE_URL=$DB_URL
export DJANGO_SETTINGS_MODULE=bench.settings
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}
export SECURE_SSL_REDIRECT=false DEBUG=false ALLOWED_HOSTS=127.0.0.1 EMAIL_URL=memorymail://
export BENCH_PASSWORD=$PASSWORD
# As in production (docker-compose.yml), the web processes share their cache through Redis.
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/3}
redis-cli -u "$REDIS_URL" ping >/dev/null || { echo "Redis does not answer at $REDIS_URL"; exit 1; }
redis-cli -u "$REDIS_URL" flushdb >/dev/null  # no figures left from an earlier run

db_name=${DB_URL##*/}
db_server=${DB_URL%/*}
have=$(psql "$DB_URL" -tAc "SELECT count(*) FROM enrollment_participant" 2>/dev/null || echo 0)
if (( have < N )); then
  echo "== building $db_name: $N participants (it holds $have)"
  psql "$db_server/postgres" -qc "DROP DATABASE IF EXISTS \"$db_name\"" >/dev/null
  psql "$db_server/postgres" -qc "CREATE DATABASE \"$db_name\"" >/dev/null
  $PY manage.py migrate --noinput -v0
  start=$(date +%s)
  $PY manage.py generate_trial --participants "$N" --sites "$SITES" | tee "$OUT/generate.log"
  echo "generation took $(( $(date +%s) - start )) s (wall, with migrate excluded)" | tee -a "$OUT/generate.log"
else
  echo "== $db_name already holds $have participants"
  $PY manage.py migrate --noinput -v0  # the code may have moved on since it was built
fi
per_site=$(( $(psql "$DB_URL" -tAc "SELECT count(*) FROM enrollment_participant") / $(tr ',' '\n' <<<"$SITES" | wc -l) ))

# The reports page shows figures that the beat task recomputes every few minutes
# (reports.figures); compute them once before the run, as the beat would have.
start=$(date +%s%N)
$PY manage.py refresh_reports
echo "(the report figures took $(( ($(date +%s%N) - start) / 1000000 )) ms to compute)"

$PY manage.py collectstatic --noinput -v0
$PY manage.py check --deploy --fail-level ERROR >/dev/null 2>&1

echo "== gunicorn: $WORKERS sync workers on 127.0.0.1:$PORT"
.venv/bin/gunicorn bench.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --timeout 120 --log-level warning --pid "$OUT/gunicorn.pid" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/bench/floor/" && break
  sleep 0.5
done

echo "== $USERS users for ${DURATION}s, $per_site participants per site"
$PY bench/load.py --port "$PORT" --users "$USERS" --duration "$DURATION" --think "$THINK" \
  --sites "$SITES" --per-site "$per_site" --password "$PASSWORD" --skip "${BENCH_SKIP:-}" \
  --json "$OUT/load-$(date -u +%Y%m%dT%H%M%SZ).json"

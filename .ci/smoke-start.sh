#!/usr/bin/env bash
# `npm start` with no DATABASE_URL: it starts, /healthz answers, the demo login works, and it
# stops cleanly on SIGTERM with no PostgreSQL process left behind.
set -uo pipefail
cd "$(dirname "$0")/.."
DATA=$(mktemp -d /tmp/quorum-smoke-XXXXXX)
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
LOG="$DATA/start.log"
cleanup() { pkill -f "$DATA/pg" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT

env -u DATABASE_URL DATA_DIR="$DATA" PORT="$PORT" setsid npm start >"$LOG" 2>&1 &
LEADER=$!

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 $LEADER 2>/dev/null || { echo "smoke: npm start exited early"; tail -30 "$LOG"; exit 1; }
  sleep 1
done
HEALTH=$(curl -fsS "http://127.0.0.1:$PORT/healthz") || { echo "smoke: /healthz did not answer"; tail -30 "$LOG"; exit 1; }
[ "$HEALTH" = '{"status":"ok","database":"ok"}' ] || { echo "smoke: /healthz said $HEALTH"; exit 1; }
grep -q "owner@demo.quorum.local" "$LOG" || { echo "smoke: demo logins were not printed"; exit 1; }

LOGIN=$(curl -sS -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  -d '{"email":"owner@demo.quorum.local","password":"quorum-demo-2026"}' "http://127.0.0.1:$PORT/trpc/auth.logIn")
[ "$LOGIN" = "200" ] || { echo "smoke: demo login answered $LOGIN"; exit 1; }

kill -TERM -- -"$LEADER"
for _ in $(seq 1 30); do
  pgrep -g "$LEADER" >/dev/null 2>&1 || break
  sleep 1
done
if pgrep -g "$LEADER" >/dev/null 2>&1; then echo "smoke: processes still running after SIGTERM"; pgrep -a -g "$LEADER"; exit 1; fi
if pgrep -f "$DATA/pg" >/dev/null 2>&1; then echo "smoke: PostgreSQL left running"; exit 1; fi
echo "smoke: npm start served /healthz and the demo login, and stopped cleanly"

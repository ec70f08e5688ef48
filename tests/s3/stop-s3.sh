#!/usr/bin/env bash
# tests/s3/stop-s3.sh - stop the S3 server that tests/s3/start-s3.sh started for DATA_DIR.
# usage: tests/s3/stop-s3.sh [DATA_DIR] [--wipe]
#   default DATA_DIR: the one start-s3.sh defaults to ($S3_DATA_DIR, else <repo>/.s3/data,
#   else ${TMPDIR:-/tmp}/pipeline-s3)
# Stops radosgw, then the osd, then the mon (TERM, then KILL after a grace
# period). Only the processes whose pid files live in DATA_DIR/run and whose
# command name matches are signalled. --wipe also deletes DATA_DIR.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
if [ -n "${S3_DATA_DIR:-}" ]; then D=$S3_DATA_DIR
elif [ -w "$REPO" ]; then D="$REPO/.s3/data"
else D="${TMPDIR:-/tmp}/pipeline-s3"
fi
WIPE=0
for a in "$@"; do
  case "$a" in
    --wipe) WIPE=1 ;;
    *) D=$a ;;
  esac
done
[ -d "$D" ] || { echo "stop-s3: no such data dir $D" >&2; exit 0; }
D=$(cd "$D" && pwd -P)

state() {  # prints process state letter, empty if gone
  local pid=$1
  [ -r "/proc/$pid/stat" ] || return 0
  sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1
}

stop_one() {  # stop_one NAME COMM GRACE_SECONDS
  local pf="$D/run/$1.pid" comm=$2 grace=$3 pid st i
  [ -s "$pf" ] || return 0
  pid=$(cat "$pf")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$comm" ]; then
    rm -f "$pf"; return 0          # stale pid file
  fi
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < grace * 10; i++)); do
    st=$(state "$pid")
    { [ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]; } && break
    sleep 0.1
  done
  st=$(state "$pid")
  if [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]; then
    echo "stop-s3: $1 (pid $pid) ignored TERM for ${grace}s, sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null
    sleep 0.2
  fi
  rm -f "$pf"
  echo "stop-s3: stopped $1 (pid $pid)" >&2
}

stop_one client.rgw.a radosgw 10
stop_one osd.0 ceph-osd 20
stop_one mon.a ceph-mon 10

if [ "$WIPE" = 1 ]; then
  find "$D" -mindepth 1 -delete && rmdir "$D" 2>/dev/null
  echo "stop-s3: wiped $D" >&2
fi
exit 0

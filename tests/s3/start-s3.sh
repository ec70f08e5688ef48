#!/usr/bin/env bash
# tests/s3/start-s3.sh - run a real S3 server (Ceph RADOS Gateway 16.2.x from Debian 12)
# for the Pipeline.S3 contract tests (tests/Pipeline.S3.Tests read S3_ENDPOINT etc.)
# as a single-node Ceph cluster (1 mon, 1 osd, 1 radosgw, no mgr, auth off
# inside the cluster; S3 SigV4 auth on) bound to 127.0.0.1 only.
#
# usage: tests/s3/start-s3.sh [PORT] [DATA_DIR]
#   defaults: PORT 7480 (or $S3_PORT); DATA_DIR $S3_DATA_DIR, else <repo>/.s3/data
#   (the repo's .s3/ is git-ignored; on a read-only checkout, ${TMPDIR:-/tmp}/pipeline-s3)
#   env  S3_ACCESS_KEY   access key            (default: s3test-access-key)
#        S3_SECRET_KEY   secret key            (default: s3test-secret-key)
#        S3_STORE        bluestore | memstore  (default: bluestore, kept on disk
#                        across restarts; memstore starts ~4s faster, keeps
#                        objects in RAM and starts empty every time)
#        S3_MEMSTORE_BYTES  RAM cap for memstore (default 1 GiB)
#        S3_MON_PORT     port for the ceph monitor (default: a free port, fixed
#                        at first init and reused on restart)
#        S3_FRESH=1      wipe DATA_DIR before starting
#        S3_TIMEOUT      seconds to wait for readiness (default 120)
#
# Installs radosgw, ceph-mon, ceph-osd with apt if missing (needs root or sudo).
# Re-running with the same DATA_DIR is idempotent: a running server is reused,
# a stopped one is restarted with its data. Stop with tests/s3/stop-s3.sh [DATA_DIR].
#
# stdout: eval-able lines
#   S3_ENDPOINT=http://127.0.0.1:PORT
#   AWS_ACCESS_KEY_ID=...   AWS_SECRET_ACCESS_KEY=...   AWS_REGION=us-east-1
# (also written to DATA_DIR/s3.env); progress goes to stderr.
set -euo pipefail

PORT=${1:-${S3_PORT:-7480}}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
if [ -n "${2:-}" ]; then D=$2
elif [ -n "${S3_DATA_DIR:-}" ]; then D=$S3_DATA_DIR
elif [ -w "$REPO" ]; then D="$REPO/.s3/data"
else D="${TMPDIR:-/tmp}/pipeline-s3"
fi
ACCESS=${S3_ACCESS_KEY:-s3test-access-key}
SECRET=${S3_SECRET_KEY:-s3test-secret-key}
TIMEOUT=${S3_TIMEOUT:-120}
T0=$(date +%s%N)

log() { printf '[start-s3 %5.1fs] %s\n' "$(( ($(date +%s%N) - T0) / 1000000 ))e-3" "$*" >&2; }
die() { log "ERROR: $*"; [ -d "${D:-}/log" ] && log "logs: $D/log"; exit 1; }

case "$PORT" in ''|*[!0-9]*) die "PORT must be a number, got '$PORT'";; esac
mkdir -p "$D"
D=$(cd "$D" && pwd -P)
CONF="$D/ceph.conf"

# ---------------------------------------------------------------- install
install_pkgs() {
  local need=()
  command -v radosgw  >/dev/null 2>&1 || need+=(radosgw)
  command -v ceph-mon >/dev/null 2>&1 || need+=(ceph-mon)
  command -v ceph-osd >/dev/null 2>&1 || need+=(ceph-osd)
  command -v curl     >/dev/null 2>&1 || need+=(curl)
  command -v uuidgen  >/dev/null 2>&1 || need+=(uuid-runtime)
  [ ${#need[@]} -eq 0 ] && return 0
  local SUDO=
  [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing ${need[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >"$D/apt.log" 2>&1; then
    $SUDO apt-get update -q >>"$D/apt.log" 2>&1 || true
    $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >>"$D/apt.log" 2>&1 \
      || { tail -20 "$D/apt.log" >&2; die "apt-get install failed"; }
  fi
  log "installed"
}

# ---------------------------------------------------------------- helpers
alive() {  # alive PIDFILE COMM -> 0 if that process runs (not a zombie)
  local pf=$1 comm=$2 pid st
  [ -s "$pf" ] || return 1
  pid=$(cat "$pf" 2>/dev/null) || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  st=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
  [ "$st" != Z ] && [ "$st" != X ]
}

stop_daemons() {  # TERM (then KILL) the daemons whose pid files are in $D/run
  local n comm pid i
  for n in client.rgw.a:radosgw osd.0:ceph-osd mon.a:ceph-mon; do
    comm=${n#*:}; n=${n%%:*}
    alive "$D/run/$n.pid" "$comm" || continue
    pid=$(cat "$D/run/$n.pid"); kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do alive "$D/run/$n.pid" "$comm" || break; sleep 0.1; done
    alive "$D/run/$n.pid" "$comm" && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 30000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port found for the monitor"
}

http_up() { curl -s -o /dev/null -m 2 "http://127.0.0.1:$PORT/"; }

wait_for() {  # wait_for DESCRIPTION DAEMON_NAME COMM COMMAND...
  local what=$1 name=$2 comm=$3; shift 3
  local start end pf="$D/run/$name.pid"
  start=$(date +%s); end=$(( start + TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || die "timed out waiting for $what"
    # daemons write their pid file at start and remove it when they exit
    if [ $(( $(date +%s) - start )) -ge 3 ] && ! alive "$pf" "$comm"; then
      tail -5 "$D/log/$name.log" >&2 2>/dev/null
      die "$comm exited while waiting for $what"
    fi
    sleep 0.1
  done
}

C() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }
RA() { timeout 60 radosgw-admin -c "$CONF" "$@"; }

write_conf() {
  cat > "$CONF" <<EOF
# generated by start-s3.sh
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
keyring = $D/keyring
crash dir = $D/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
osd crush chooseleaf type = 0
# single mon: commit map changes fast (radosgw creates its pools on start)
paxos propose interval = 0.05
paxos min wait = 0.01
[mon]
mon data = $D/mon/\$cluster-\$id
[osd]
osd data = $D/osd/\$cluster-\$id
osd objectstore = $STORE
osd crush update on start = false
osd class update on start = false
# RGW stores an object as <bucket marker>_<key> in RADOS: 2048 leaves room for S3's 1,024-byte keys
osd max object name len = 2048
# a radosgw that died without a clean stop keeps its watches for this long and
# metadata writes (e.g. CreateBucket) wait for them to expire (default 30s)
osd client watch timeout = 10
osd max object namespace len = 64
memstore device bytes = ${S3_MEMSTORE_BYTES:-1073741824}
bluestore block create = true
bluestore block size = 10737418240
bluestore fsck on mount = false
bluestore cache autotune = false
bluestore cache size = 134217728
osd memory target = 939524096
[client.rgw.a]
rgw data = $D/rgw
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw thread pool size = 64
rgw enable usage log = false
EOF
}

# RGW knows only STANDARD until the placement target lists more storage classes: add those S3
# Batch Operations' MatchAnyStorageClass filter names (the S3 API's S3StorageClass), so PutObject
# accepts them and listings and HEAD report them. They share the default data pool: RGW keeps the
# class per object and moves nothing between pools here. The default zone exists once radosgw has
# started, and radosgw reads it at start: the classes are added after the first start, which then
# restarts radosgw once; a later start finds them and adds nothing.
STORAGE_CLASSES="STANDARD_IA ONEZONE_IA INTELLIGENT_TIERING GLACIER DEEP_ARCHIVE GLACIER_IR"
add_storage_classes() {  # -> 0 when it added any (radosgw must restart), 1 when all were there
  local zonegroup zone c added=1
  zonegroup=$(RA zonegroup get --rgw-zonegroup default) || die "radosgw-admin zonegroup get failed"
  zone=$(RA zone get --rgw-zone default) || die "radosgw-admin zone get failed"
  for c in $STORAGE_CLASSES; do
    # (pattern matching, not printf | grep -q: under pipefail grep's early exit fails the pipe)
    if [[ $zonegroup != *"\"$c\""* ]]; then
      RA zonegroup placement add --rgw-zonegroup default --placement-id default-placement --storage-class "$c" >/dev/null \
        || die "radosgw-admin zonegroup placement add --storage-class $c failed"
      added=0
    fi
    if [[ $zone != *"\"$c\": {"* ]]; then
      RA zone placement add --rgw-zone default --placement-id default-placement --storage-class "$c" \
        --data-pool default.rgw.buckets.data >/dev/null \
        || die "radosgw-admin zone placement add --storage-class $c failed"
      added=0
    fi
  done
  return $added
}

start_rgw() {
  radosgw -c "$CONF" -n client.rgw.a >>"$D/log/setup.log" 2>&1 || die "radosgw failed to start"
  wait_for "radosgw on port $PORT" client.rgw.a radosgw http_up
}

emit() {
  cat > "$D/s3.env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$PORT
AWS_ACCESS_KEY_ID=$ACCESS
AWS_SECRET_ACCESS_KEY=$SECRET
AWS_REGION=us-east-1
EOF
  cat "$D/s3.env"
  log "ready: http://127.0.0.1:$PORT (path-style; data dir $D; stop: tests/s3/stop-s3.sh $D)"
}

# ---------------------------------------------------------------- main
install_pkgs

if [ "${S3_FRESH:-0}" = 1 ] || { [ ! -f "$D/cluster.env" ] && [ -e "$D/mon/ceph-a" ]; }; then
  # asked for a fresh start, or a first start that did not finish: start over
  stop_daemons
  if [ -n "$(ls -A "$D")" ]; then log "wiping $D"; find "$D" -mindepth 1 -delete; fi
fi

# already running with this data dir?
if alive "$D/run/client.rgw.a.pid" radosgw && [ -f "$D/cluster.env" ]; then
  # shellcheck disable=SC1091
  . "$D/cluster.env"
  if [ "${RGW_PORT:-}" = "$PORT" ] && http_up; then
    log "already running"
    emit
    exit 0
  fi
  die "a radosgw for $D already runs on port ${RGW_PORT:-?}; stop it first (tests/s3/stop-s3.sh $D)"
fi
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && die "port $PORT on 127.0.0.1 is already in use"

if [ -f "$D/cluster.env" ] && grep -q '^STORE=memstore' "$D/cluster.env"; then
  # memstore keeps objects in RAM only; its on-disk state is not restartable
  log "memstore cluster in $D cannot be restarted; recreating it empty"
  find "$D" -mindepth 1 -delete
fi
mkdir -p "$D"/{mon,osd/ceph-0,run,log,rgw,crash}
UNCLEAN=0
ls "$D"/run/*.pid >/dev/null 2>&1 && UNCLEAN=1   # stop-s3.sh removes them
if [ -f "$D/cluster.env" ]; then
  # shellcheck disable=SC1091
  . "$D/cluster.env"
  FRESH=0
  log "restarting existing cluster in $D ($STORE)"
else
  FSID=$(uuidgen)
  MON_PORT=${S3_MON_PORT:-$(free_port)}
  STORE=${S3_STORE:-bluestore}
  FRESH=1
  log "creating cluster in $D ($STORE, mon port $MON_PORT)"
fi
case "$STORE" in bluestore|memstore) ;; *) die "S3_STORE must be bluestore or memstore";; esac
write_conf

if [ "$FRESH" = 1 ]; then
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring" >>"$D/log/setup.log" 2>&1 \
    || die "ceph-mon --mkfs failed"
fi

alive "$D/run/mon.a.pid" ceph-mon || ceph-mon -c "$CONF" -i a >>"$D/log/setup.log" 2>&1 || die "ceph-mon failed to start"
wait_for "ceph-mon" mon.a ceph-mon C mon stat
log "mon up"

if [ "$FRESH" = 1 ]; then
  OSD_UUID=$(uuidgen)
  OSD_ID=$(C osd new "$OSD_UUID")
  [ "$OSD_ID" = 0 ] || die "unexpected osd id '$OSD_ID'"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >>"$D/log/setup.log" 2>&1 || die "ceph-osd --mkfs failed"
  C osd crush add osd.0 1.0 root=default host=localhost >>"$D/log/setup.log" 2>&1
  # everything needed to restart is known now
  printf 'FSID=%s\nMON_PORT=%s\nSTORE=%s\n' "$FSID" "$MON_PORT" "$STORE" > "$D/cluster.env"
fi
alive "$D/run/osd.0.pid" ceph-osd || ceph-osd -c "$CONF" -i 0 >>"$D/log/setup.log" 2>&1 || die "ceph-osd failed to start"
wait_for "ceph-osd" osd.0 ceph-osd bash -c "timeout 10 ceph -c '$CONF' --connect-timeout 5 osd dump 2>/dev/null | grep -q '^osd.0 up'"
log "osd up"

start_rgw
if add_storage_classes; then
  log "storage classes added ($STORAGE_CLASSES); restarting radosgw to use them"
  pid=$(cat "$D/run/client.rgw.a.pid"); kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do alive "$D/run/client.rgw.a.pid" radosgw || break; sleep 0.1; done
  alive "$D/run/client.rgw.a.pid" radosgw && die "radosgw did not stop for its restart"
  start_rgw
fi
sed -i '/^RGW_PORT=/d' "$D/cluster.env"; echo "RGW_PORT=$PORT" >> "$D/cluster.env"
log "radosgw up"

if [ "$UNCLEAN" = 1 ] && [ "$FRESH" = 0 ]; then
  # after an unclean stop the dead radosgw's watches linger for
  # 'osd client watch timeout' (10s) and the first metadata write (user key,
  # CreateBucket, ...) blocks until then: take that wait here, not in a test
  log "previous stop was unclean; waiting for stale watches to expire (<=10s)"
  RA key create --uid=s3test --key-type=s3 --access-key="$ACCESS" --secret-key="$SECRET" >/dev/null 2>&1 || true
fi
if INFO=$(RA user info --uid=s3test 2>/dev/null); then
  # only write the user when the key changed (see above)
  printf '%s' "$INFO" | grep -q "\"access_key\": \"$ACCESS\"" && printf '%s' "$INFO" | grep -q "\"secret_key\": \"$SECRET\"" \
  || RA key create --uid=s3test --key-type=s3 --access-key="$ACCESS" --secret-key="$SECRET" >/dev/null \
    || die "radosgw-admin key create failed"
else
  RA user create --uid=s3test --display-name="S3 test user" --access-key="$ACCESS" --secret-key="$SECRET" >/dev/null \
    || die "radosgw-admin user create failed"
fi
emit

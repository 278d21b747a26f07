#!/usr/bin/env bash
# A throw-away S3 store for the tests: a single-node Ceph cluster (one monitor,
# one in-memory OSD) with a RADOS Gateway on a free loopback port.
#
#   scripts/ceph-rgw.sh start DIR   # prints nothing on success; DIR/env has the settings
#   scripts/ceph-rgw.sh stop DIR    # kills the daemons, removes DIR
#
# Everything (config, maps, logs, sockets) lives under DIR: /etc/ceph and
# /var/lib/ceph are never read or written. Needs Debian's radosgw, ceph-mon,
# ceph-osd and ceph-common (scripts/ensure-system-packages.sh ceph).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
DIR=$2
MARKER=.ceph-rgw-test-store  # stop removes only a directory that start made
WAIT_SECONDS=${CEPH_RGW_WAIT_SECONDS:-60}

die() { echo "ceph-rgw: $*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

alive() {  # not a zombie; /proc rather than ps, which a fresh Debian may lack
  local stat
  if [ -d /proc/self ]; then
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
  else
    kill -0 "$1" 2>/dev/null
  fi
}

kill_pids() {
  # SIGKILL, not SIGTERM: a graceful stop of radosgw and the OSD together can
  # hang for minutes, and nothing in a throw-away store needs to be kept.
  local file=$1 pid
  [ -f "$file" ] || return 0
  while read -r pid; do
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  done <"$file"
  while read -r pid; do
    [ -n "$pid" ] || continue
    # A zombie is dead: its new parent (init, or whatever runs as PID 1 in a
    # container) may take a while to reap it.
    for _ in $(seq 1 100); do
      alive "$pid" || break
      sleep 0.05
    done
  done <"$file"
}

stop() {
  [ -d "$DIR" ] || return 0
  [ -f "$DIR/$MARKER" ] || die "$DIR was not made by '$0 start'; not removing it"
  kill_pids "$DIR/pids"
  rm -rf "$DIR"
}

# Polls "$@" until it succeeds, for at most WAIT_SECONDS.
wait_for() {
  local what=$1; shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not happen within ${WAIT_SECONDS}s (logs: $DIR/log)"
    sleep 0.1
  done
}

daemon() {  # name, command...: runs in the foreground of a background job, logs to DIR/log
  local name=$1; shift
  "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 &
  echo $! >>"$DIR/pids"
}

start() {
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph uuidgen python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool が見つかりません: scripts/ensure-system-packages.sh ceph で導入してください"
  done
  if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then die "$DIR is not empty"; fi
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  touch "$DIR/$MARKER"
  mkdir -p "$DIR/run" "$DIR/log" "$DIR/mon" "$DIR/osd" "$DIR/rgw"
  : >"$DIR/pids"
  # A start that fails half-way, or is interrupted, leaves nothing behind.
  trap 'exit 130' INT TERM
  trap 'status=$?; if [ $status -ne 0 ]; then kill_pids "$DIR/pids"; echo "ceph-rgw: start failed; the last lines of its logs:" >&2; tail -n 5 "$DIR"/log/*.out "$DIR"/log/*.log >&2 2>/dev/null || true; rm -rf "$DIR"; fi' EXIT

  local fsid mon_port rgw_port conf
  fsid=$(uuidgen)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  conf=$DIR/ceph.conf
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
# Without cephx the default "secure crc" client mode makes radosgw hang at start.
ms mon client mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
# Else every map change (pool creation, OSD boot) waits a second.
paxos propose interval = 0.01
paxos min wait = 0.01
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
mon data = $DIR/mon/\$name
osd data = $DIR/osd/\$name
keyring = $DIR/keyring
rgw data = $DIR/rgw
crash dir = $DIR/crash

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw enable usage log = false
# 512 request threads by default; a test run needs few.
rgw thread pool size = 16
EOF
  export CEPH_CONF=$conf
  local c=(-c "$conf")

  monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$DIR/monmap" >/dev/null
  ceph-mon "${c[@]}" --mkfs -i a --monmap "$DIR/monmap" >>"$DIR/log/mkfs.out" 2>&1
  daemon mon.a ceph-mon "${c[@]}" -i a -f
  # `osd new` with a given uuid is idempotent, so it doubles as the wait for the
  # monitor (the client itself retries for up to --connect-timeout).
  local osd_uuid osd_id
  osd_uuid=$(uuidgen)
  osd_new() { osd_id=$(ceph "${c[@]}" --connect-timeout 5 osd new "$osd_uuid" 2>>"$DIR/log/cli.out"); }
  wait_for "the monitor answering" osd_new
  mkdir -p "$DIR/osd/osd.$osd_id"
  ceph-osd "${c[@]}" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >>"$DIR/log/mkfs.out" 2>&1
  daemon "osd.$osd_id" ceph-osd "${c[@]}" -i "$osd_id" -f

  # No wait for the OSD: radosgw starts beside it and answers once its pools
  # are usable, which needs the OSD up anyway.
  daemon rgw radosgw "${c[@]}" -n client.rgw -f
  local endpoint=http://127.0.0.1:$rgw_port
  # One Python polling every 50 ms: a new interpreter per poll costs more than the wait.
  python3 - "$endpoint" "$WAIT_SECONDS" <<'PY' || die "radosgw did not answer on $endpoint within ${WAIT_SECONDS}s (logs: $DIR/log)"
import sys, time, urllib.error, urllib.request
url, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while True:
    try:
        urllib.request.urlopen(url, timeout=2)
        break
    except urllib.error.HTTPError:
        break  # any HTTP answer means the gateway is serving
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.05)
PY

  local access secret
  access=$(python3 -c 'import secrets; print("T" + secrets.token_hex(9).upper())')
  secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')
  radosgw-admin "${c[@]}" user create --uid=tests --display-name="test suite" \
    --access-key="$access" --secret-key="$secret" >>"$DIR/log/user.out" 2>&1
  cat >"$DIR/env" <<EOF
export S3_ENDPOINT_URL=$endpoint
export AWS_ACCESS_KEY_ID=$access
export AWS_SECRET_ACCESS_KEY=$secret
export AWS_DEFAULT_REGION=us-east-1
EOF
  trap - EXIT INT TERM
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac

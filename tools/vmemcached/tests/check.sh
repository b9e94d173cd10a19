#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of vmemcached: the protocol test (under valgrind when
# installed), then memccapable -a (libmemcached-tools) against the real
# server on the in-memory backend: every ASCII test must pass, and
# Debian's python3-pymemcache through its usual commands, and (when
# nutcracker is installed) twemproxy in front of two servers.  TAP.
set -uo pipefail
: "${TEST:?}" "${VMEMCACHED:?}"
rc=0
if [ -n "${VALGRIND:-}" ]; then
	$VALGRIND -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$TEST" || rc=1
else
	"$TEST" || rc=1
fi
if ! command -v memccapable > /dev/null; then
	echo "ok 1 memccapable -a # SKIP libmemcached-tools not installed"
	exit $rc
fi
port=$((20000 + $$ % 20000))
"$VMEMCACHED" --backend=mem -p "$port" -t 2 &
pid=$!
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done
out=$(timeout 60 memccapable -a -h 127.0.0.1 -p "$port" 2>&1)
mrc=$?
echo "$out" | sed 's/^/# /'
if [ $mrc -eq 0 ] && ! echo "$out" | grep -qE 'fail|FAIL'; then
	echo "ok 1 memccapable -a against vmemcached --backend=mem"
else
	echo "not ok 1 memccapable -a against vmemcached --backend=mem (rc $mrc)"
	rc=1
fi
if /usr/bin/python3 -c 'import pymemcache' 2> /dev/null; then
	if out=$(timeout 60 /usr/bin/python3 "$(dirname "$0")/pymemcache_test.py" \
		 "$port" 2>&1); then
		echo "ok 2 pymemcache against vmemcached --backend=mem"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok 2 pymemcache against vmemcached --backend=mem"
		rc=1
	fi
else
	echo "ok 2 pymemcache # SKIP python3-pymemcache not installed"
fi
kill "$pid"
wait "$pid"

# twemproxy in front of two servers (skipped without nutcracker)
if ! command -v nutcracker > /dev/null ||
   ! /usr/bin/python3 -c 'import pymemcache' 2> /dev/null; then
	echo "ok 3 twemproxy # SKIP nutcracker or python3-pymemcache not installed"
	exit $rc
fi
dir=$(mktemp -d)
p1=$((port + 1)) p2=$((port + 2)) pp=$((port + 3))
cat > "$dir/nc.yml" <<EOC
pool:
  listen: 127.0.0.1:$pp
  hash: fnv1a_64
  distribution: ketama
  timeout: 2000
  auto_eject_hosts: false
  servers:
   - 127.0.0.1:$p1:1 vmc1
   - 127.0.0.1:$p2:1 vmc2
EOC
"$VMEMCACHED" --backend=mem -p "$p1" -t 1 & s1=$!
"$VMEMCACHED" --backend=mem -p "$p2" -t 1 & s2=$!
nutcracker -c "$dir/nc.yml" -s $((port + 4)) -o "$dir/nc.log" & np=$!
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$pp") 2>/dev/null && break
	sleep 0.1
done
if out=$(timeout 60 /usr/bin/python3 "$(dirname "$0")/twemproxy_test.py" \
	 "$pp" "$p1" "$p2" 2>&1); then
	echo "# $out"
	echo "ok 3 twemproxy (nutcracker) in front of two servers"
else
	echo "$out" | sed 's/^/# /'
	echo "not ok 3 twemproxy (nutcracker) in front of two servers"
	rc=1
fi
kill "$np" "$s1" "$s2"
wait "$np" "$s1" "$s2"
rm -rf "$dir"
exit $rc

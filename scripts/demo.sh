#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: a short tour of vmemcache, run inside the QEMU guest by
# selftests/guest/run.sh (busybox sh; vmemcachectl is on PATH and the module
# is at $VMEMCACHE_KO). Exits non-zero if anything behaves unexpectedly.

KO=${VMEMCACHE_KO:-/vmc/vmemcache.ko}
SYSDIR=${VMC_SYSDIR:-/sys/class/misc/vmemcache}
fail=0

heading() { echo; echo "==== $*"; }

bad() { echo "!! UNEXPECTED: $*"; fail=1; }

# run CMD...: show and run a command that must succeed
run() {
	echo "\$ $*"
	"$@"
	rc=$?
	[ $rc -eq 0 ] || bad "exit status $rc from: $*"
	return $rc
}

# expect RC CMD...: show and run a command that must exit with status RC
expect() {
	want=$1; shift
	echo "\$ $*"
	"$@"
	rc=$?
	if [ $rc -eq "$want" ]; then
		echo "(exit status $rc, as expected)"
	else
		bad "exit status $rc (expected $want) from: $*"
	fi
}

# same OUTPUT EXPECTED WHAT
same() {
	if [ "$1" = "$2" ]; then
		echo "-> $3: OK"
	else
		bad "$3: got '$1', expected '$2'"
	fi
}

command -v vmemcachectl >/dev/null || { echo "vmemcachectl not in PATH"; exit 1; }

heading "Load the module"
run insmod "$KO" || exit 1
run ls -l /dev/vmemcache
run ls $SYSDIR

heading "API version"
run vmemcachectl version

heading "Tunables (sysfs: capacity, extent_size, policy)"
run vmemcachectl config

heading "Set the capacity to 128 MiB and read it back"
run vmemcachectl config capacity=128M
run vmemcachectl config
same "$(cat $SYSDIR/capacity)" 134217728 "capacity is 128 MiB"

heading "Store and fetch a small value"
run vmemcachectl put foo bar
echo "\$ vmemcachectl get foo"
out=$(vmemcachectl get foo) || bad "get foo failed"
echo "$out"
same "$out" bar "get foo returns bar"
expect 0 vmemcachectl exists foo

heading "Store 100000 random bytes from stdin and read them back"
head -c 100000 /dev/urandom > /tmp/big.in
echo "\$ head -c 100000 /dev/urandom | vmemcachectl put big"
vmemcachectl put big < /tmp/big.in || bad "put big failed"
want=$(md5sum < /tmp/big.in | cut -d' ' -f1)
echo "\$ vmemcachectl get big | md5sum"
got=$(vmemcachectl get big | md5sum | cut -d' ' -f1)
echo "$got  (input: $want)"
same "$got" "$want" "the value read back is identical"
echo "\$ vmemcachectl get big | wc -c"
same "$(vmemcachectl get big | wc -c | tr -d ' ')" 100000 "100000 bytes"

heading "Statistics"
run vmemcachectl stat
echo "\$ vmemcachectl stat --json"
json=$(vmemcachectl stat --json) || bad "stat --json failed"
echo "$json"
case "$json" in
"{"*"}") echo "-> looks like JSON: OK" ;;
*) bad "stat --json does not print a JSON object" ;;
esac

heading "Evict foo; a get now misses (exit status 1)"
run vmemcachectl evict foo
expect 1 vmemcachectl get foo
expect 1 vmemcachectl exists foo

heading "Evict the least recently used entry (big)"
run vmemcachectl put small x
run vmemcachectl get small && echo
run vmemcachectl evict
expect 1 vmemcachectl exists big
expect 0 vmemcachectl exists small
run vmemcachectl stat

heading "Empty the cache through sysfs"
echo "\$ echo 1 > $SYSDIR/reset"
echo 1 > $SYSDIR/reset || bad "reset failed"
expect 1 vmemcachectl exists small
run vmemcachectl stat

heading "Unload the module"
run rmmod vmemcache

echo
if [ $fail -eq 0 ]; then
	echo "==== demo finished: everything worked"
else
	echo "==== demo FAILED: see the lines marked !! above"
fi
exit $fail

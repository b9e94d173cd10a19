#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ctl_test.sh -- host test of vmemcachectl's commands, options, output and
# exit codes, run by `make -C tools check`: a dynamically linked build
# ($VMEMCACHECTL) talks to lib/'s fake device ($FAKEDEV_SO, preloaded, its
# cache kept in a temporary file), each run under $VALGRIND if set.
# config runs against a fake sysfs directory.  Prints TAP.

: "${VMEMCACHECTL:?}" "${FAKEDEV_SO:?}"
TMP=$(mktemp -d /tmp/vmc-ctl-test.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
n=0 fail=0

export VMC_FAKEDEV_STATE="$TMP/state" VMEMCACHE_DEV=/dev/null
export VMEMCACHE_SYSFS="$TMP/sysfs"

# ctl ARGS...: run vmemcachectl; stdout in $TMP/out, stderr in $TMP/err
ctl() {
	if [ -n "$VALGRIND" ]; then
		LD_PRELOAD="$FAKEDEV_SO" "$VALGRIND" -q --leak-check=full \
			--show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=99 --log-file="$TMP/vg" \
			"$VMEMCACHECTL" "$@" >"$TMP/out" 2>"$TMP/err"
	else
		LD_PRELOAD="$FAKEDEV_SO" "$VMEMCACHECTL" "$@" \
			>"$TMP/out" 2>"$TMP/err"
	fi
	rc=$?
	if [ -s "$TMP/vg" ]; then
		sed 's/^/#   valgrind: /' "$TMP/vg"
		: >"$TMP/vg"
	fi
	return $rc
}

result() {	# result OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		sed 's/^/#   stdout: /' "$TMP/out"
		sed 's/^/#   stderr: /' "$TMP/err"
		fail=$((fail + 1))
	fi
}

# expect RC DESCRIPTION ARGS...: vmemcachectl ARGS exits with RC
expect() {
	want=$1 what=$2
	shift 2
	ctl "$@"
	got=$?
	[ "$got" = "$want" ]
	result $? "$what (exit $got, want $want)"
}

# out_is TEXT DESCRIPTION: the last run's stdout is exactly TEXT
out_is() {
	printf '%s' "$1" >"$TMP/want"
	cmp -s "$TMP/want" "$TMP/out"
	result $? "$2"
}

# err_has TEXT DESCRIPTION: the last run's stderr contains TEXT
err_has() {
	grep -qF -- "$1" "$TMP/err"
	result $? "$2"
}

# --- usage
expect 0 "--help" --help
grep -q '^Usage: vmemcachectl' "$TMP/out"; result $? "--help prints the usage to stdout"
expect 0 "-h" -h
expect 2 "no command"
expect 2 "unknown command" frobnicate
err_has "vmemcachectl: frobnicate: unknown command" "... says so"
expect 2 "unknown global option" -x get foo
expect 2 "-d without DEVICE" -d
expect 2 "put without KEY" put
expect 2 "put with too many arguments" put a b c
expect 2 "put with an unknown option" put --force a b
expect 2 "get without KEY" get
expect 2 "get with two keys" get a b
expect 2 "exists without KEY" exists
expect 2 "evict with two keys" evict a b
expect 2 "stat with an argument" stat now
expect 2 "version with an argument" version 1
expect 0 "put --help" put --help

# --- the device
expect 3 "a missing device is an error, not a missing key" \
	-d /nonexistent/vmemcache get foo
err_has "vmemcachectl: get: open: No such file or directory" \
	"... with the library's message (libvmemcache's text)"
VMEMCACHE_DEV=/nonexistent expect 3 "VMEMCACHE_DEV is used" get foo
expect 3 "a directory is refused" -d "$TMP" get foo
err_has "a private cache there would vanish" "... as a private cache"
expect 0 "-d DEVICE" -d /dev/null version
expect 0 "-dDEVICE" -d/dev/null version
expect 0 "--device=DEVICE" --device=/dev/null version
expect 3 "a device that is not vmemcache" -d /dev/zero version
err_has "neither the vmemcache device nor a DAX device: Invalid argument" \
	"... fails with EINVAL, as libvmemcache"

# --- put, get, exists, evict
expect 0 "put foo bar" put foo bar
expect 0 "get foo" get foo
out_is "bar" "get foo prints exactly bar"
expect 3 "put of an existing key" put foo baz
err_has "vmemcachectl: put: vmemcache_put: key exists: File exists" \
	"... says the key exists"
expect 0 "put --replace" put --replace foo bazz
ctl get foo; out_is "bazz" "get returns the new value"
expect 0 "exists foo" exists foo
out_is "4
" "exists prints the value size"
expect 1 "exists of a missing key" exists nope
out_is "" "... prints nothing"
expect 1 "get of a missing key" get nope
err_has "vmemcachectl: get: vmemcache_get: key not found" "... says so"

head -c 200000 /dev/urandom >"$TMP/big"
ctl put big <"$TMP/big"; result $? "put 200000 random bytes from stdin"
ctl get big; cmp -s "$TMP/big" "$TMP/out"
result $? "get big returns them unchanged (larger than the first buffer)"
printf 'a\000b\nc' >"$TMP/bin"
ctl put --replace big <"$TMP/bin"; result $? "replace with 5 bytes holding NUL and newline"
ctl get big; cmp -s "$TMP/bin" "$TMP/out"; result $? "get returns them"
: >"$TMP/empty"
ctl put empty <"$TMP/empty"; [ $? = 3 ]; result $? "an empty value from stdin is an error"
expect 0 "put -- -dash v" put -- -dash v
ctl get -- -dash; out_is "v" "get -- -dash"
expect 0 "a VALUE starting with '-'" put neg -5
ctl get neg; out_is "-5" "get neg"
expect 3 "an empty key" put "" v
expect 3 "a key too long for the device" put \
	"$(head -c 100 /dev/zero | tr '\0' k)" v

# keys and evict --prefix (a v2 device)
VMC_FAKEDEV_V2=1 expect 0 "put k/1" put k/1 one
VMC_FAKEDEV_V2=1 expect 0 "put k/2" put k/2 two
VMC_FAKEDEV_V2=1 expect 0 "put a tab key" put "$(printf 'x\ty')" v
VMC_FAKEDEV_V2=1 expect 0 "keys k/" keys k/
out_is "k/1
k/2
" "keys with a prefix lists those, one a line"
VMC_FAKEDEV_V2=1 expect 0 "keys --sizes x" keys --sizes x
out_is "x\\x09y	1
" "other bytes as \\xNN, sizes after a tab"
VMC_FAKEDEV_V2=1 expect 0 "evict --prefix k/" evict --prefix k/
out_is "2
" "evict --prefix prints how many"
VMC_FAKEDEV_V2=1 expect 0 "keys k/ after" keys k/
out_is "" "... and they are gone"
VMC_FAKEDEV_V2=1 expect 2 "evict --prefix without a prefix" evict --prefix
expect 3 "keys on a v1 device" keys
err_has "cannot list keys" "... says the module cannot"
VMC_FAKEDEV_V2=1 expect 0 "evict the tab key" evict "$(printf 'x\ty')"

expect 0 "evict foo" evict foo
expect 1 "get foo after evict" get foo
expect 1 "evict of a missing key" evict foo
# Left: big, -dash, neg; make neg the most recently used.
ctl get big; ctl get -- -dash; ctl get neg
expect 0 "evict the LRU entry" evict
expect 1 "... which was big" exists big
expect 0 "evict the LRU entry again" evict
expect 1 "... which was -dash" exists -- -dash
expect 0 "... neg stays" exists neg
expect 0 "evict the last entry" evict
expect 1 "evict on an empty cache" evict
err_has "vmemcachectl: evict: no element to evict" "... says nothing can be evicted"

# --- stat, version
expect 0 "stat" stat
for f in puts gets hits misses 'hit ratio' evictions entries pool_used \
	 pool_size 'pool utilization' dram_used free_extents extent_size \
	 evictions/s gets/s puts/s; do
	grep -q "^$f  *[-0-9]" "$TMP/out"; result $? "stat shows $f"
done
head -n 4 "$TMP/out" | cut -c1-18 | tr -s ' ' | paste -sd, - |
	grep -qx 'hit ratio ,pool utilization ,entries ,evictions/s '
result $? "stat leads with hit ratio, utilization, entries, evictions/s"
expect 0 "stat --now" stat --now
! grep -q "/s " "$TMP/out"; result $? "stat --now shows no rates"
expect 2 "top with a bad interval" top -i 0
expect 2 "top with a bad count" top -n x
expect 0 "top -n 2" top -i 0.05 -n 2
[ "$(wc -l < "$TMP/out")" -eq 3 ] && head -n1 "$TMP/out" | grep -q "evict/s"
result $? "top prints a header and one line per interval"
[ "$(awk 'NR > 1 { print $2 }' "$TMP/out" | sort -u)" = "-" ]
result $? "top's hit ratio is of the interval's gets: '-' when there were none"
expect 0 "stat --json" stat --json
if command -v python3 >/dev/null; then
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = ["puts", "gets", "hits", "misses", "evictions", "entries",
	"pool_used", "dram_used", "free_extents", "pool_size", "extent_size",
	"hit_ratio_pct", "pool_utilization_pct", "evictions_per_s",
	"gets_per_s", "puts_per_s"]
assert sorted(d) == sorted(keys), sorted(d)
assert d["hits"] + d["misses"] == d["gets"]
' "$TMP/out"
	result $? "stat --json is one JSON object with every field"
fi
expect 0 "version" version
grep -q '^api_version  *2$' "$TMP/out"; result $? "version shows api_version 2"
grep -q '^features  *0x3 put_replace evict_lru$' "$TMP/out"
result $? "version names the features"

# --- config against a fake sysfs directory
expect 3 "config without the sysfs directory" config
err_has "is the vmemcache module loaded?" "... suggests loading the module"
mkdir -p "$VMEMCACHE_SYSFS/power"
echo 67108864 >"$VMEMCACHE_SYSFS/capacity"
echo 256 >"$VMEMCACHE_SYSFS/extent_size"
echo lru >"$VMEMCACHE_SYSFS/policy"
printf 'MAJOR=10\nMINOR=123\n' >"$VMEMCACHE_SYSFS/uevent"
: >"$VMEMCACHE_SYSFS/reset"; chmod 0200 "$VMEMCACHE_SYSFS/reset"
ln -s .. "$VMEMCACHE_SYSFS/subsystem"
expect 0 "config" config
out_is "capacity=67108864
extent_size=256
policy=lru
uevent=MAJOR=10 MINOR=123
" "config lists the readable files, sorted, as name=value"
expect 0 "config NAME" config policy
out_is "policy=lru
" "config policy"
expect 0 "config NAME=VALUE" config capacity=1G
printf '1G\n' >"$TMP/want"; cmp -s "$TMP/want" "$VMEMCACHE_SYSFS/capacity"
result $? "config capacity=1G writes 1G and a newline"
expect 0 "config with several" config policy=none reset=1 policy
out_is "policy=none
" "... in order"
expect 3 "config of a missing attribute" config nope
expect 3 "config write of a missing attribute" config nope=1
expect 2 "config ../x" config ../x
expect 2 "config a/b=1" config a/b=1
expect 2 "config =1" config =1

echo "1..$n"
[ $fail -eq 0 ]

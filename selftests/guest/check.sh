#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script for `make check` (busybox sh), run by selftests/guest/run.sh:
# loads vmemcache.ko, runs every selftest binary listed in /vmc/tests/TESTS
# in order, on DRAM and then on /dev/pmem0 (when the guest has it), then
# checks that the module unloads and that kmemleak (when the
# kernel has it) found no leak.
#
# usage: check.sh [-t PER_BINARY_TIMEOUT_SEC] [-e NAME=VALUE]...
#                 [-1 TEST[,TEST...]] [TEST...]
#   -e: export NAME=VALUE to the selftests (e.g. VMC_FUZZ_SECS=60)
#   -1: run these binaries in the last pass only (pmem when the guest has
#       it), reported as a skip in the others: the slow tiers' long stress
#       binaries exercise little that depends on the backing
#
# Output: the binaries' own kselftest TAP lines, and per binary
#   # selftests: vmemcache: NAME
#   VMC-BINARY NAME rc=RC
# plus TAP lines for "module load", "module unload" and "kmemleak".

T=300
ONCE=
while getopts t:e:1: o; do
	case $o in
	t) T=$OPTARG ;;
	e) case $OPTARG in
	   [A-Za-z_]*=*) export "$OPTARG"; echo "# environment: $OPTARG" ;;
	   *) echo "check.sh: -e wants NAME=VALUE"; exit 2 ;;
	   esac ;;
	1) ONCE="$ONCE $(echo "$OPTARG" | tr , ' ')" ;;
	*) echo "usage: check.sh [-t SEC] [-e NAME=VALUE]... [-1 TEST,...] [TEST...]"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

KO=${VMEMCACHE_KO:-/vmc/vmemcache.ko}
SYSDIR=/sys/class/misc/vmemcache
KMEMLEAK=/sys/kernel/debug/kmemleak
TESTDIR=/vmc/tests
fail=0
n=0

tap() {	# tap 0|1 DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=1
	fi
}

loaded() { [ -d /sys/module/vmemcache ]; }

ensure_loaded() {
	loaded && return 0
	insmod "$KO"
}

if [ -n "$*" ]; then
	TESTS="$*"
else
	TESTS=$(grep -v '^[[:space:]]*\(#\|$\)' "$TESTDIR/TESTS" 2>/dev/null)
fi

# Forget leaks (if any) from boot, so that only ours are reported.
if [ -e "$KMEMLEAK" ]; then
	echo scan > "$KMEMLEAK"
	echo clear > "$KMEMLEAK"
fi

echo "# vmemcache selftests: $(echo $TESTS | wc -w) binaries, ${T}s timeout each"
insmod "$KO"
rc=$?
tap $rc "module load"
if [ $rc -ne 0 ]; then
	echo "# cannot load $KO; not running the selftests"
	exit 1
fi

if [ -z "$TESTS" ]; then
	echo "# no selftest binaries in $TESTDIR/TESTS"
	tap 1 "selftest binaries present"
fi

# Every binary runs on the DRAM pool, then again on the emulated pmem
# device (vmc_config() in the tests claims VMEMCACHE_BACKING).
PMEM=/dev/pmem0
if [ -b "$PMEM" ]; then
	BACKINGS="dram $PMEM"
else
	BACKINGS=dram
	n=$((n + 1))
	echo "ok $n pmem pass # SKIP no $PMEM in this guest"
fi

once() {	# once TEST: true when TEST runs in the last pass only
	case " $ONCE " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

last=${BACKINGS##* }
for backing in $BACKINGS; do
	if [ "$backing" = dram ]; then
		unset VMEMCACHE_BACKING
	else
		export VMEMCACHE_BACKING=$backing
	fi
	for t in $TESTS; do
		if [ "$backing" != "$last" ] && once "$t"; then
			n=$((n + 1))
			echo "ok $n $t on $backing # SKIP runs on $last only (-1)"
			continue
		fi
		echo "# selftests: vmemcache: $t${VMEMCACHE_BACKING:+ on $VMEMCACHE_BACKING}"
		if [ ! -x "$TESTDIR/$t" ]; then
			echo "# $t: not built or not executable"
			echo "VMC-BINARY $t rc=127"
			fail=1
			continue
		fi
		if ! ensure_loaded; then
			echo "# $t: cannot load $KO"
		fi
		if [ -w "$SYSDIR/reset" ]; then
			echo 1 > "$SYSDIR/reset" || echo "# $t: cache reset failed"
		fi
		start=$(date +%s)
		(cd /tmp && exec timeout "$T" "$TESTDIR/$t")
		rc=$?
		secs=$(($(date +%s) - start))
		[ $rc -eq 143 ] && [ $secs -ge "$T" ] && echo "# $t: TIMEOUT after ${T}s"
		echo "# $t: exit $rc after ${secs}s"
		echo "VMC-BINARY $t rc=$rc"
		# 4 is KSFT_SKIP: the binary skipped itself
		[ $rc -eq 0 ] || [ $rc -eq 4 ] || fail=1
	done
done

# The module must unload cleanly at the end (tests may have unloaded it).
if ensure_loaded; then
	rmmod vmemcache
	rc=$?
	[ $rc -eq 0 ] && loaded && rc=1
else
	rc=1
fi
tap $rc "module unload"

if [ -e "$KMEMLEAK" ]; then
	# Objects are reported once they are older than 5 s and unreferenced
	# in two consecutive scans.
	sleep 6
	echo scan > "$KMEMLEAK"
	sleep 1
	echo scan > "$KMEMLEAK"
	leaks=$(cat "$KMEMLEAK")
	if [ -n "$leaks" ]; then
		echo "$leaks" | sed 's/^/# /'
		tap 1 "kmemleak"
	else
		tap 0 "kmemleak"
	fi
fi

exit $fail

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script of `make bench-ops` (busybox sh): the per-operation rows of
# Documentation/admin-guide/vmemcache-performance.rst, puts and gets of
# 256 B to 16 KiB against the floor (vmemcache-bench --matrix), one thread,
# a private 16 MiB cache.  With a second module at
# /vmc/bin/vmemcache-before.ko (BENCH_BEFORE=path.ko on make's command
# line) the two modules take turns, REPS times each per size, in this
# boot, so that before/after ratios come from one boot.
set -e
W=${1:-0.2}
REPS=${2:-3}
run() {
	insmod "$1"
	echo "==== $2"
	vmemcache-bench --matrix --cache-size 16M --sizes "$3" -d "$W"
	# Lock acquisitions per 1000 evicting puts, which no noise moves.
	vmemcache-bench -t 1 --get-ratio 0 --value-size "$3" --keys 100000 \
		--cache-size 16M -n 20000 | grep lock
	rmmod vmemcache
}
for size in 256 1024 4096 16384; do
	i=0
	while [ $i -lt "$REPS" ]; do
		i=$((i + 1))
		if [ -f /vmc/bin/vmemcache-before.ko ]; then
			run /vmc/bin/vmemcache-before.ko before "$size"
		fi
		run /vmc/vmemcache.ko after "$size"
	done
done

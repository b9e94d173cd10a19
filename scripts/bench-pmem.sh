#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script of `make bench-pmem` (busybox sh; vmemcache-bench and fio
# are in /vmc/bin): the "Persistent memory" figures of
# Documentation/admin-guide/vmemcache-performance.rst, all in one boot.
# Figures, not pass/fail: the run fails only if a tool cannot run.
set -e
S=${1:-10}	# seconds per window: make bench-pmem BENCH_SECS=N
P=/dev/pmem0
insmod /vmc/vmemcache.ko

echo "==== puts into pmem: copy_from_user vs non-temporal (dax_flushcache), alternating rounds"
echo "---- 256-byte values"
vmemcache-bench --backing $P --compare-dax-write -t 1 --get-ratio 0 \
	--value-size 256 --keys 100000 --cache-size 1G -d $S
echo "---- 4 KiB values"
vmemcache-bench --backing $P --compare-dax-write -t 1 --get-ratio 0 \
	--value-size 4096 --keys 20000 --cache-size 1G -d $S
echo "---- 1 MiB values"
vmemcache-bench --backing $P --compare-dax-write -t 1 --get-ratio 0 \
	--value-size 1M --keys 512 --cache-size 1G -d $S

echo "==== 1 MiB gets from pmem vs fio reading /dev/pmem0 (O_DIRECT, 1 MiB), alternating"
for round in 1 2 3; do
	echo "---- round $round: vmemcache gets"
	vmemcache-bench --backing $P -t 1 --get-ratio 100 --value-size 1M \
		--keys 512 --cache-size 1G -d $S
	echo "---- round $round: fio"
	fio --name=raw --filename=$P --rw=read --bs=1M --direct=1 \
		--ioengine=psync --thread --size=512M --time_based \
		--runtime=$S --output-format=terse --terse-version=3 |
		awk -F';' '{ printf "fio read: %.1f MiB/s (%s IOs)\n", $7 / 1024, $8 }'
done
echo "==== 1 MiB gets from pmem against the floor (copy_to_user of 1 MiB, no cache)"
vmemcache-bench --backing $P --compare -t 1 --get-ratio 100 --value-size 1M \
	--keys 256 --cache-size 512M -d $((S / 2 > 0 ? S / 2 : 1))
echo 1 > /sys/class/misc/vmemcache/reset
rmmod vmemcache

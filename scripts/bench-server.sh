#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script of `make bench-server` (busybox sh; vmemcached, memcached
# and mcload are in /vmc/bin): the same mcload load against vmemcached (a
# private DRAM cache) and Debian's memcached, same thread count, set and
# get at 256 B and 4 KiB, from 1 and 4 connections, alternating the
# servers three times per row.  Prints each run and the ratios
# vmemcached / memcached of the summed ops/s and p50 latencies.  Then the
# library row: one core's rate of a local program (vmemcache-bench, one
# thread, through libvmemcache-kdev on the module's shared cache) against
# memcached's per-core rate (one worker thread, -t 1), both 1 KiB values,
# 90% gets, 1000 keys, three rounds each.  Figures, not pass/fail.
set -e
SECS=${1:-5}
insmod /vmc/vmemcache.ko
vmemcached -p 21211 -t 2 -m 256 -U 0 &
vpid=$!
memcached -u root -l 127.0.0.1 -p 21212 -t 2 -m 256 -U 0 &
mpid=$!
sleep 2
for CONNS in 1 4; do
for size in 256 4096; do
	for mode in set get; do
		echo "==== $mode, $size B values, $CONNS connections, 2 server threads"
		v=0; m=0; vp=0; mp=0
		for round in 1 2 3; do
			for port in 21211 21212; do
				out=$(mcload -p $port -c $CONNS -s $size -k 1000 \
					-d "$SECS" -m $mode)
				[ $port = 21211 ] && name=vmemcached || name=memcached
				echo "$name: $out"
				ops=$(echo "$out" | awk '{print $4}')
				p50=$(echo "$out" | awk '{print $7}')
				if [ $port = 21211 ]; then
					v=$((v + ops)); vp=$((vp + p50))
				else
					m=$((m + ops)); mp=$((mp + p50))
				fi
			done
		done
		echo "ratio $mode $size B: vmemcached/memcached ops/s" \
			"$(awk -v v=$v -v m=$m 'BEGIN { printf "%.2f", v / m }')," \
			"p50 latency $(awk -v v=$vp -v m=$mp 'BEGIN { printf "%.2f", v / m }')"
	done
done
done
kill $vpid $mpid
wait

echo "==== per core: 1 KiB values, 90% gets, 1000 keys; library vs memcached -t 1"
memcached -u root -l 127.0.0.1 -p 21213 -t 1 -m 256 -U 0 &
m1=$!
sleep 2
m=0; l=0
for round in 1 2 3; do
	out=$(mcload -p 21213 -c 4 -s 1024 -k 1000 -d "$SECS" -m mix -g 90)
	echo "memcached -t 1: $out"
	m=$((m + $(echo "$out" | awk '{print $4}')))
	out=$(vmemcache-bench -t 1 -d "$SECS" --get-ratio 90 --value-size 1024 \
		--keys 1000 --cache-size 256M | grep 'ops/s')
	echo "library, 1 thread: $out"
	l=$((l + $(echo "$out" | awk '{ for (i = 2; i <= NF; i++)
		if ($i == "ops/s") { print $(i - 1); exit } }')))
done
kill $m1
wait
echo "ratio per core: library/memcached ops/s" \
	"$(awk -v l=$l -v m=$m 'BEGIN { printf "%.1f", l / m }')"
rmmod vmemcache

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script of `make bench-tier` (busybox sh; vmemcache-bench is in
# /vmc/bin): the "Tiers" figures of
# Documentation/admin-guide/vmemcache-performance.rst, in one boot.  A
# cache-aside zipfian workload whose keys (96 MiB of 4 KiB values) are
# six times the fast tier (16 MiB of DRAM), on a cache of two tiers
# against one-tier caches of each tier's size; the slow tier is DRAM,
# then the emulated pmem when the guest has it.
# Figures, not pass/fail: the run fails only if a tool cannot run.
set -e
N=${1:-200000}	# gets measured: make bench-tier BENCH_OPS=N
insmod /vmc/vmemcache.ko
B="vmemcache-bench --tier --dist zipf:0.99 --keys 24576 --value-size 4096 \
	--cache-size 16M --slow-size 64M -n $N"
$B
if [ -b /dev/pmem0 ]; then
	$B --slow-path /dev/pmem0
fi
rmmod vmemcache

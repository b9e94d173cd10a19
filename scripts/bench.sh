#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script of `make bench` (busybox sh; vmemcache-bench is in /vmc/bin):
# the measurements of Documentation/admin-guide/vmemcache-performance.rst.
# Figures, not pass/fail: the run fails only if the benchmark cannot run.
set -e
insmod /vmc/vmemcache.ko
echo "==== 64 threads, 90% gets, 1 KiB values, 20000 keys, 256M cache"
vmemcache-bench --compare -t 64 --get-ratio 90 --value-size 1024 \
	--keys 20000 --cache-size 256M -d ${BENCH_SECS:-20}
echo "==== 1 thread, gets only (hits), 1 KiB values"
vmemcache-bench --compare -t 1 --get-ratio 100 --value-size 1024 \
	--keys 1000 -d ${BENCH_SECS:-10}
echo "==== 64 threads, puts only, 1 KiB values (where puts contend)"
vmemcache-bench -t 64 --get-ratio 0 --value-size 1024 --keys 20000 \
	--cache-size 256M -d ${BENCH_SECS:-10}
vmemcache-bench -t 64 --get-ratio 0 --value-size 1024 --keys 20000 \
	--cache-size 256M --policy lru_locked -d ${BENCH_SECS:-10}
rmmod vmemcache

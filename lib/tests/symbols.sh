#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# symbols.sh SHLIB -- checks the ABI surface of libvmemcache-kdev's shared
# library: its soname, and that it exports exactly the functions declared in
# include/libvmemcache.h, at version LIBVMEMCACHE_KDEV_1.0 or, for those
# added with the private caches, LIBVMEMCACHE_KDEV_1.1, or, for the rest of
# libvmemcache 0.8's header, LIBVMEMCACHE_KDEV_1.2. Prints TAP.

lib=$1
hdr=$(dirname "$0")/../include/libvmemcache.h
n=0 fail=0

check() {	# check COND-EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=$((fail + 1))
	fi
}

soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libvmemcache-kdev.so.1 ]
check $? "soname is libvmemcache-kdev.so.1 (got '$soname')"

# Defined dynamic symbols: "name version" (skipping the version definition).
exported=$(objdump -T "$lib" | awk '$2 == "g" && $4 != "*UND*" &&
	$NF != $(NF - 1) { print $NF, $(NF - 1) }' | sort)
declared=$(sed -n '/^typedef/d; s/^[A-Za-z_ ]*[ *](\{0,1\}\(vmemcache_[a-z_0-9]*\))\{0,1\}(.*/\1/p' "$hdr" |
	sort -u)
v15=" vmemcache_add_tier vmemcache_get_tier_stats vmemcache_exists_ex vmemcache_get_state vmemcache_touch_ex "
v14=" vmemcache_set_numa_node "
v13=" vmemcache_get_ex vmemcache_put_ex vmemcache_touch "
v12=" vmemcache_bench_set "
v11=" vmemcache_batch vmemcache_callback_on_evict_ex vmemcache_evict_flags vmemcache_evict_prefix vmemcache_get_exact vmemcache_list vmemcache_new0 vmemcache_new4 "

bad=$(echo "$exported" | awk -v v11="$v11" -v v12="$v12" -v v13="$v13" -v v14="$v14" -v v15="$v15" '{
	want = index(v11, " " $1 " ") ? "LIBVMEMCACHE_KDEV_1.1" : "LIBVMEMCACHE_KDEV_1.0"
	if (index(v12, " " $1 " "))
		want = "LIBVMEMCACHE_KDEV_1.2"
	if (index(v13, " " $1 " "))
		want = "LIBVMEMCACHE_KDEV_1.3"
	if (index(v14, " " $1 " "))
		want = "LIBVMEMCACHE_KDEV_1.4"
	if (index(v15, " " $1 " "))
		want = "LIBVMEMCACHE_KDEV_1.5"
	if ($2 != want) print }')
[ -z "$bad" ]
check $? "every exported symbol has its version (1.0, 1.1 or 1.2)"
[ -z "$bad" ] || echo "$bad" | sed 's/^/#   /'

names=$(echo "$exported" | awk '{ print $1 }')
[ "$names" = "$declared" ]
check $? "exports exactly the $(echo "$declared" | wc -l) functions of libvmemcache.h"
[ "$names" = "$declared" ] ||
	diff -u "--label=declared" "--label=exported" \
		/dev/fd/3 /dev/fd/4 3<<EOF3 4<<EOF4 | sed 's/^/#   /'
$declared
EOF3
$names
EOF4

echo "1..$n"
[ $fail -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# symbols.sh SHLIB -- checks the ABI surface of libvmemcache-kdev's shared
# library: its soname, and that it exports exactly the functions declared in
# include/libvmemcache.h, all at version LIBVMEMCACHE_KDEV_1.0. Prints TAP.

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
declared=$(sed -n '/^typedef/d; s/^[A-Za-z_ ]*[ *]\(vmemcache_[a-z_]*\)(.*/\1/p' "$hdr" |
	sort -u)

bad=$(echo "$exported" | awk '$2 != "LIBVMEMCACHE_KDEV_1.0"')
[ -z "$bad" ]
check $? "every exported symbol has version LIBVMEMCACHE_KDEV_1.0"
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

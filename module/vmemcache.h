/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every internal interface of vmemcache, for the files of the top layer
 * (main.c, sysfs.c, debugfs.c) and the userspace test of the policies.
 * Each layer has its own header: entry.h, index.h, repl.h, cache.h,
 * chardev.h, evict_log.h and private.h (and extent_alloc.h,
 * backing.h, and lock_stat.h and compat.h below every layer); files below
 * the top include only the headers of their own layer and those below
 * (scripts/callgraph-check).
 */
#ifndef _VMEMCACHE_H
#define _VMEMCACHE_H

#include "chardev.h"

#endif /* _VMEMCACHE_H */

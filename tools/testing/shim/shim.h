/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the few kernel facilities that the module's
 * extent allocator uses, so that module/extent_alloc.c compiles unchanged
 * against the kernel's own tools/include and tools/lib/rbtree.c, the way
 * tools/testing/radix-tree does:
 *  - spinlocks that check their discipline (no recursion, unlock only
 *    what is held, lockdep_assert_held() holds);
 *  - might_sleep() that checks that no spinlock is held;
 *  - a malloc-backed kmem_cache that counts live objects, checks that none
 *    is left at kmem_cache_destroy(), and can be told to fail;
 *  - WARN_ON_ONCE() that counts, so tests can assert on it.
 *  - per-CPU memory and local locks, each test thread being one CPU.
 */
#ifndef _VMC_SHIM_H
#define _VMC_SHIM_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/kernel.h>

/* Spinlocks the calling thread holds. */
extern __thread int shim_locks_held;
/* WARN_ON_ONCE() conditions that were true. */
extern unsigned long shim_warnings;
/* kmem_cache_alloc() without __GFP_NOFAIL fails when this reaches 0. */
extern long shim_alloc_fail_in;
/* Objects allocated from all kmem_caches and not freed. */
extern long shim_live_objects;
/* Objects kmem_cache_alloc() returned, ever. */
extern long shim_allocs;

void shim_warn(const char *file, int line, const char *cond);

#undef WARN_ON_ONCE
#define WARN_ON_ONCE(cond) ({						\
	bool __c = !!(cond);						\
	if (__c)							\
		shim_warn(__FILE__, __LINE__, #cond);			\
	__c;								\
})

#define might_sleep()	assert(!shim_locks_held)

#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif
#ifndef rounddown
#define rounddown(x, y)	((x) - ((x) % (y)))
#endif

#endif /* _VMC_SHIM_H */

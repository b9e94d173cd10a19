// SPDX-License-Identifier: GPL-2.0
/* The shim's state and its kmem_cache: see shim.h. */
#include <stdio.h>
#include <stdlib.h>
#include <linux/percpu.h>
#include <linux/slab.h>

__thread int shim_locks_held;
__thread int shim_cpu;
unsigned long shim_warnings;
long shim_alloc_fail_in = -1;
long shim_live_objects;
long shim_allocs;

void shim_warn(const char *file, int line, const char *cond)
{
	shim_warnings++;
	fprintf(stderr, "# WARN_ON_ONCE(%s) at %s:%d\n", cond, file, line);
}

void *shim_alloc_percpu(size_t size)
{
	assert(size <= SHIM_PCPU_STRIDE);
	return calloc(SHIM_NR_CPUS, SHIM_PCPU_STRIDE);
}

struct kmem_cache *shim_kmem_cache_create(size_t size)
{
	struct kmem_cache *c = calloc(1, sizeof(*c));

	if (c)
		c->size = size;
	return c;
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	void *p;

	assert(!shim_locks_held || !(gfp & GFP_KERNEL));	/* may sleep */
	if (!(gfp & __GFP_NOFAIL) && shim_alloc_fail_in >= 0 &&
	    !shim_alloc_fail_in--)
		return NULL;
	p = malloc(c->size);
	assert(p);
	c->live++;
	shim_live_objects++;
	shim_allocs++;
	return p;
}

void kmem_cache_free(struct kmem_cache *c, void *p)
{
	if (!p)
		return;
	assert(c->live > 0);
	c->live--;
	shim_live_objects--;
	free(p);
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	if (!c)
		return;
	assert(!c->live);	/* the kernel would complain of a leak */
	free(c);
}

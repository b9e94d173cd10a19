/* SPDX-License-Identifier: GPL-2.0 */
/* A malloc-backed kmem_cache for the tests: see ../shim.h. */
#ifndef _VMC_SHIM_SLAB_H
#define _VMC_SHIM_SLAB_H

#include <stdint.h>
#include <stdlib.h>
#include <linux/gfp.h>
#include "../shim.h"

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	assert(!shim_locks_held || !(gfp & GFP_KERNEL));	/* may sleep */
	return calloc(1, size);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	assert(!shim_locks_held || !(gfp & GFP_KERNEL));	/* may sleep */
	if (size && n > SIZE_MAX / size)
		return NULL;
	return malloc(n * size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

struct kmem_cache {
	size_t size;
	long live;
};

struct kmem_cache *shim_kmem_cache_create(size_t size);
#define KMEM_CACHE(s, flags)	shim_kmem_cache_create(sizeof(struct s))
void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *c, void *p);
void kmem_cache_destroy(struct kmem_cache *c);

#endif

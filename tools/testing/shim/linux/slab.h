/* SPDX-License-Identifier: GPL-2.0 */
/* A malloc-backed kmem_cache for the tests: see ../shim.h. */
#ifndef _VMC_SHIM_SLAB_H
#define _VMC_SHIM_SLAB_H

#include <stdlib.h>
#include "../shim.h"

#undef GFP_KERNEL
#undef __GFP_NOFAIL
#define GFP_KERNEL	0x1u
#define __GFP_NOFAIL	0x2u

static inline void *kzalloc(size_t size, unsigned int gfp)
{
	assert(!shim_locks_held || !(gfp & GFP_KERNEL));	/* may sleep */
	return calloc(1, size);
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
void *kmem_cache_alloc(struct kmem_cache *c, unsigned int gfp);
void kmem_cache_free(struct kmem_cache *c, void *p);
void kmem_cache_destroy(struct kmem_cache *c);

#endif

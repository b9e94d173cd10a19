// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vmemcache.c -- the cache handle: vmemcache_new() (both forms), the
 * configuration setters, the callbacks, vmemcache_delete(), the
 * accessors of an attached handle (vmemcache_fd(), vmemcache_get_version())
 * and libvmemcache's benchmark hook vmemcache_bench_set().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmc_internal.h"

/* Upper bound of a pool size, as in libvmemcache. */
#define VMC_MAX_POOL ((size_t)1 << (sizeof(void *) > 4 ? 56 : 31))

VMC_API VMEMcache *vmemcache_new0(void)
{
	/* malloc, not calloc: programs that count malloc/free see it. */
	VMEMcache *cache = malloc(sizeof(*cache));

	if (!cache) {
		vmc_fail(ENOMEM, "vmemcache_new", NULL);
		return NULL;
	}
	/* GCC would merge malloc() and memset() into calloc(): hide it. */
	__asm__("" : "+r"(cache));
	memset(cache, 0, sizeof(*cache));
	cache->fd = -1;
	cache->kind = VMC_UNATTACHED;
	cache->size = 0;	/* as libvmemcache: chosen by vmemcache_add() */
	cache->extent_size = VMEMCACHE_MIN_EXTENT;
	cache->repl_p = VMEMCACHE_REPLACEMENT_LRU;
	cache->numa_node = -1;
	return cache;
}

/* The 0.8 entry point; the header's macro normally picks vmemcache_new0. */
VMC_API VMEMcache *(vmemcache_new)(void)
{
	return vmemcache_new0();
}

VMC_API VMEMcache *vmemcache_new4(const char *path, size_t size,
				  size_t extent_size,
				  enum vmemcache_repl_p repl_p)
{
	VMEMcache *cache = vmemcache_new0();
	int err;

	if (!cache)
		return NULL;
	if ((size && vmemcache_set_size(cache, size)) ||
	    vmemcache_set_extent_size(cache, extent_size) ||
	    vmemcache_set_eviction_policy(cache, repl_p) ||
	    vmemcache_add(cache, path)) {
		err = errno;
		vmemcache_delete(cache);
		errno = err;
		return NULL;
	}
	return cache;
}

/* A setter may run only on a handle that is not attached yet. */
static int vmc_check_config(const VMEMcache *cache, const char *func)
{
	if (!cache)
		return vmc_fail(EINVAL, func, "cache is NULL");
	(void)func;
	if (cache->fd >= 0)
		return vmc_fail_as(EALREADY, "cache already in use");
	return 0;
}

VMC_API int vmemcache_set_size(VMEMcache *cache, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (vmc_check_config(cache, __func__))
		return -1;
	if (size < VMEMCACHE_MIN_POOL)
		return vmc_fail_as(EINVAL, "size %zu smaller than %zu", size,
				   VMEMCACHE_MIN_POOL);
	if (size >= VMC_MAX_POOL)
		return vmc_fail_as(EINVAL, "implausibly large size %zu", size);
	cache->size = (size + page - 1) / page * page;
	return 0;
}

VMC_API int vmemcache_set_numa_node(VMEMcache *cache, int node)
{
	if (vmc_check_config(cache, __func__))
		return -1;
	if (node < -1)
		return vmc_fail(EINVAL, __func__, "invalid NUMA node %d", node);
	cache->numa_node = node;
	return 0;
}

VMC_API int vmemcache_add_tier(VMEMcache *cache, const char *path,
				size_t size)
{
	char *copy;

	if (vmc_check_config(cache, __func__))
		return -1;
	if (cache->tier_path)
		return vmc_fail(EBUSY, __func__, "the cache has a slow tier already");
	if (size >= VMC_MAX_POOL)
		return vmc_fail_as(EINVAL, "implausibly large size %zu", size);
	copy = strdup(path ? path : "");
	if (!copy)
		return vmc_fail(ENOMEM, __func__, NULL);
	cache->tier_path = copy;
	cache->tier_size = size;
	return 0;
}

VMC_API int vmemcache_get_tier_stats(VMEMcache *cache,
				     struct vmemcache_tier_stats *st)
{
	if (vmc_check_attached(cache, __func__))
		return -1;
	if (!st)
		return vmc_fail(EINVAL, __func__, "stats is NULL");
	if (!(cache->ver.features & VMEMCACHE_FEAT_TIERS))
		return vmc_fail(ENOTSUP, __func__,
				"the vmemcache module has no tiers (no VMEMCACHE_FEAT_TIERS)");
	memset(st, 0, sizeof(*st));
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_TIER_STATS, st))
		return vmc_fail(errno, __func__, "VMEMCACHE_IOC_TIER_STATS");
	return 0;
}

VMC_API int vmemcache_set_extent_size(VMEMcache *cache, size_t extent_size)
{
	if (vmc_check_config(cache, __func__))
		return -1;
	if (extent_size < VMEMCACHE_MIN_EXTENT)
		return vmc_fail_as(EINVAL, "extent size %zu smaller than %zu bytes",
				   extent_size, VMEMCACHE_MIN_EXTENT);
	cache->extent_size = extent_size;
	return 0;
}

VMC_API int vmemcache_set_eviction_policy(VMEMcache *cache,
					  enum vmemcache_repl_p repl_p)
{
	if (vmc_check_config(cache, __func__))
		return -1;
	if ((unsigned int)repl_p >= VMEMCACHE_REPLACEMENT_NUM)
		return vmc_fail(EINVAL, __func__,
				"unknown replacement policy %u",
				(unsigned int)repl_p);
	cache->repl_p = repl_p;
	return 0;
}

VMC_API void vmemcache_callback_on_evict(VMEMcache *cache,
					 vmemcache_on_evict *evict, void *arg)
{
	if (!cache)
		return;
	cache->on_evict = evict;
	cache->on_evict_arg = arg;
	cache->on_evict_ex = NULL;
	cache->on_evict_ex_arg = NULL;
}

VMC_API void vmemcache_callback_on_evict_ex(VMEMcache *cache,
					    vmemcache_on_evict_ex *evict,
					    void *arg)
{
	if (!cache)
		return;
	cache->on_evict_ex = evict;
	cache->on_evict_ex_arg = arg;
	cache->on_evict = NULL;
	cache->on_evict_arg = NULL;
}

VMC_API void vmemcache_callback_on_miss(VMEMcache *cache,
					vmemcache_on_miss *miss, void *arg)
{
	if (!cache)
		return;
	cache->on_miss = miss;
	cache->on_miss_arg = arg;
}

VMC_API void vmemcache_delete(VMEMcache *cache)
{
	int err = errno;

	if (!cache)
		return;
	vmc_map_detach(cache);
	if (cache->fd >= 0)
		close(cache->fd);
	free(cache->tier_path);
	free(cache);
	errno = err;
}

VMC_API int vmemcache_fd(VMEMcache *cache)
{
	if (vmc_check_attached(cache, __func__))
		return -1;
	return cache->fd;
}

VMC_API int vmemcache_get_version(VMEMcache *cache,
				  struct vmemcache_version *ver)
{
	if (vmc_check_attached(cache, __func__))
		return -1;
	if (!ver)
		return vmc_fail(EINVAL, __func__, "ver is NULL");
	memcpy(ver, &cache->ver, sizeof(*ver));
	return 0;
}

VMC_API void vmemcache_bench_set(VMEMcache *cache, enum vmemcache_bench_cfg cfg,
				 size_t val)
{
	if (!cache) {
		vmc_fail(EINVAL, __func__, "cache is NULL");
		return;
	}
	switch (cfg) {
	case VMEMCACHE_BENCH_NO_MEMCPY:
		cache->bench_no_memcpy = !!val;
		return;
	case VMEMCACHE_BENCH_PREFAULT:
		/* The kernel's pool is allocated when the cache is made. */
		return;
	case VMEMCACHE_BENCH_INDEX_ONLY:
	case VMEMCACHE_BENCH_NO_ALLOC:
		if (!val)
			return;
		vmc_fail(ENOTSUP, __func__,
			 "%s is not supported: the kernel module always stores values",
			 cfg == VMEMCACHE_BENCH_INDEX_ONLY ?
			 "VMEMCACHE_BENCH_INDEX_ONLY" :
			 "VMEMCACHE_BENCH_NO_ALLOC");
		return;
	}
	vmc_fail_as(EINVAL, "invalid config parameter: %u", (unsigned int)cfg);
}

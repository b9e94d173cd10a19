// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * stats.c -- the cache's counters: vmemcache_get_stat() (libvmemcache 0.8,
 * one counter as a size_t) and vmemcache_get_stats() (all of them, as the
 * kernel counts them).  On the shared cache vmemcache_get_stat() answers
 * puts, gets, hits, misses and evictions from the handle's own counters.
 */
#include <errno.h>
#include <string.h>

#include "vmc_internal.h"

VMC_API int vmemcache_get_stats(VMEMcache *cache,
				struct vmemcache_stats *stats)
{
	if (vmc_check_attached(cache, __func__))
		return -1;
	if (!stats)
		return vmc_fail(EINVAL, __func__, "stats is NULL");
	memset(stats, 0, sizeof(*stats));
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_STATS, stats))
		return vmc_fail_kernel(errno, __func__);
	return 0;
}

/* The struct vmemcache_stats field that backs @stat. */
static __u64 vmc_stat_field(const struct vmemcache_stats *s,
			    enum vmemcache_statistic stat)
{
	switch (stat) {
	case VMEMCACHE_STAT_PUT:
		return s->puts;
	case VMEMCACHE_STAT_GET:
		return s->gets;
	case VMEMCACHE_STAT_HIT:
		return s->hits;
	case VMEMCACHE_STAT_MISS:
		return s->misses;
	case VMEMCACHE_STAT_EVICT:
		return s->evictions;
	case VMEMCACHE_STAT_ENTRIES:
		return s->entries;
	case VMEMCACHE_STAT_DRAM_SIZE_USED:
		return s->dram_used;
	case VMEMCACHE_STAT_POOL_SIZE_USED:
		return s->pool_used;
	case VMEMCACHE_STAT_HEAP_ENTRIES:
		return s->free_extents;
	case VMEMCACHE_STATS_NUM:
		break;
	}
	return 0;
}

VMC_API int vmemcache_get_stat(VMEMcache *cache,
			       enum vmemcache_statistic stat, void *value,
			       size_t value_size)
{
	struct vmemcache_stats s;
	size_t v;

	if (vmc_check_attached(cache, __func__))
		return -1;
	if ((unsigned int)stat >= VMEMCACHE_STATS_NUM)
		return vmc_fail_as(EINVAL, "unknown value of statistic: %u",
				   (unsigned int)stat);
	if (!value)
		return vmc_fail(EINVAL, __func__, "value is NULL");
	if (value_size != sizeof(size_t))
		return vmc_fail_as(EINVAL,
				   "wrong size of the value: %zu (should be: %zu)",
				   value_size, sizeof(size_t));
	memset(&s, 0, sizeof(s));
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_STATS, &s))
		return vmc_fail_kernel(errno, __func__);
	if (cache->kind == VMC_SHARED) {
		/* What this handle did, not every process's traffic. */
		s.puts = __atomic_load_n(&cache->n_puts, __ATOMIC_RELAXED);
		s.gets = __atomic_load_n(&cache->n_gets, __ATOMIC_RELAXED);
		s.misses = __atomic_load_n(&cache->n_misses,
					   __ATOMIC_RELAXED);
		s.hits = s.gets > s.misses ? s.gets - s.misses : 0;
		s.evictions = __atomic_load_n(&cache->n_evictions,
					      __ATOMIC_RELAXED);
	}
	v = (size_t)vmc_stat_field(&s, stat);
	memcpy(value, &v, sizeof(v));
	return 0;
}

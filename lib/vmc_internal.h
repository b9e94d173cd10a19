/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmc_internal.h -- libvmemcache-kdev internals shared by its source files:
 * the cache handle, the export macro and the error helpers.
 */
#ifndef VMC_INTERNAL_H
#define VMC_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "libvmemcache.h"

/* Marks a public entry point (the library is built -fvisibility=hidden). */
#define VMC_API __attribute__((visibility("default")))

#define VMC_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* What vmemcache_add() attached a handle to. */
enum vmc_kind {
	VMC_UNATTACHED,
	VMC_SHARED,		/* the shared cache, /dev/vmemcache */
	VMC_PRIVATE_DRAM,	/* a private cache on DRAM (a directory) */
	VMC_PRIVATE_DAX,	/* a private cache on a DAX block device */
	VMC_PRIVATE_FILE,	/* a private cache in a file on a DAX fs */
};

/* A mapped private cache (map.c); all zero when not mapped. */
struct vmc_map {
	struct vmemcache_map_info info;
	const struct vmemcache_map_slot *table;
	struct vmemcache_map_state *state;
	const unsigned char *pool;
};

struct vmemcache {
	int fd;				/* device or private cache, or -1 */
	enum vmc_kind kind;
	size_t size;			/* vmemcache_set_size(); 0: default */
	size_t extent_size;		/* vmemcache_set_extent_size() */
	enum vmemcache_repl_p repl_p;	/* vmemcache_set_eviction_policy() */
	int numa_node;			/* vmemcache_set_numa_node(); -1: any */
	char *tier_path;		/* vmemcache_add_tier(); NULL: none */
	size_t tier_size;		/* its size; 0: the default */
	struct vmemcache_version ver;	/* the device's VERSION answer */
	vmemcache_on_evict *on_evict;
	void *on_evict_arg;
	vmemcache_on_evict_ex *on_evict_ex;
	void *on_evict_ex_arg;
	vmemcache_on_miss *on_miss;
	void *on_miss_arg;
	int bench_no_memcpy;		/* VMEMCACHE_BENCH_NO_MEMCPY */
	struct vmc_map map;		/* gets from a mapping */
	/*
	 * What this handle did (atomic): vmemcache_get_stat() of the shared
	 * cache reports these instead of every process's counters.
	 */
	uint64_t n_puts;
	uint64_t n_gets;
	uint64_t n_misses;
	uint64_t n_evictions;
};

/* Adds @n to a per-handle counter. */
static inline void vmc_count(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}


/* The device private caches are created through ($VMEMCACHE_DEV). */
const char *vmc_device_path(void);

/* A user pointer as the ioctl ABI carries it. */
static inline __u64 vmc_uptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/*
 * vmc_fail -- record "func: <formatted text>: strerror(err)" as this
 * thread's error message, set errno to @err and return -1.
 */
int vmc_fail(int err, const char *func, const char *fmt, ...)
	VMC_PRINTF(3, 4);

/*
 * vmc_fail_kernel -- like vmc_fail() for an errno the kernel returned from
 * an ioctl: describes the errnos with a meaning specific to the cache
 * ("key exists", "key not found", ...).
 */
int vmc_fail_kernel(int err, const char *func);

/*
 * vmc_fail_as -- record the formatted text alone as this thread's error
 * message (libvmemcache's wording for the same failure), set errno to @err
 * and return -1.
 */
int vmc_fail_as(int err, const char *fmt, ...) VMC_PRINTF(2, 3);

/*
 * vmc_check_attached -- 0 if @cache is a handle attached by vmemcache_add(),
 * else vmc_fail(EINVAL, func, ...).
 */
int vmc_check_attached(const VMEMcache *cache, const char *func);

/*
 * vmc_check_key -- 0 if the key may be passed to the kernel (non-zero size
 * that fits the ABI's __u32), else vmc_fail(EINVAL, func, ...).
 */
int vmc_check_key(size_t key_size, const char *func);

/* map.c */
int vmc_map_wanted(const struct vmemcache_version *ver);
void vmc_map_attach(VMEMcache *cache);
void vmc_map_detach(VMEMcache *cache);
ssize_t vmc_map_get(VMEMcache *cache, const void *key, size_t key_size,
		    void *vbuf, size_t vbufsize, size_t offset, size_t *vsize);
int vmc_map_batch(VMEMcache *cache, struct vmemcache_batch_item *items,
		  size_t n);

/* ioctl() restarted after EINTR; 0 or -1 with errno set. */
int vmc_ioctl(int fd, unsigned long cmd, void *arg);

#endif /* VMC_INTERNAL_H */

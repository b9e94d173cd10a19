/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmemcache.h -- public API of libvmemcache-kdev: the libvmemcache 0.8
 * API (same header name, types and functions) implemented on top of the
 * vmemcache kernel module's /dev/vmemcache, plus a few clearly marked
 * libvmemcache-kdev extensions.
 *
 * Every function that can fail returns -1 (NULL for vmemcache_new()) and
 * sets errno exactly as the kernel or the library reported it; a
 * human-readable, per-thread description of the last failure is returned by
 * vmemcache_errormsg().  Operations on a handle that vmemcache_add() has not
 * attached fail with EINVAL.
 *
 * An attached handle may be used by several threads at once (each call is
 * one ioctl); configure it and set its callbacks before sharing it.
 */
#ifndef LIBVMEMCACHE_H
#define LIBVMEMCACHE_H 1

#include <stddef.h>
#include <sys/types.h>

#include <linux/vmemcache.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMEMCACHE_MIN_POOL ((size_t)(1024 * 1024))	/* minimum pool size: 1 MiB */
#define VMEMCACHE_MIN_EXTENT ((size_t)256)		/* minimum extent size: 256 B */

/* Opaque handle of a cache. */
typedef struct vmemcache VMEMcache;

enum vmemcache_repl_p {
	VMEMCACHE_REPLACEMENT_NONE,
	VMEMCACHE_REPLACEMENT_LRU,

	VMEMCACHE_REPLACEMENT_NUM
};

enum vmemcache_statistic {
	VMEMCACHE_STAT_PUT,		/* puts */
	VMEMCACHE_STAT_GET,		/* gets */
	VMEMCACHE_STAT_HIT,		/* gets that found their key */
	VMEMCACHE_STAT_MISS,		/* gets that did not */
	VMEMCACHE_STAT_EVICT,		/* evictions (policy or on request) */
	VMEMCACHE_STAT_ENTRIES,		/* entries in the cache now */
	VMEMCACHE_STAT_DRAM_SIZE_USED,	/* DRAM bytes for metadata and keys */
	VMEMCACHE_STAT_POOL_SIZE_USED,	/* pool bytes held by values */
	VMEMCACHE_STAT_HEAP_ENTRIES,	/* free extents (runs) in the pool */

	VMEMCACHE_STATS_NUM
};

/*
 * Called by vmemcache_evict() after it has removed a key that the caller
 * named.  libvmemcache-kdev limitation: the kernel does not report which
 * entries its replacement policy evicts (to make room for a put, or for
 * vmemcache_evict(cache, NULL, 0)), so the callback is NOT called for those.
 */
typedef void vmemcache_on_evict(VMEMcache *cache,
		const void *key, size_t key_size, void *arg);

/*
 * Called by vmemcache_get() on a miss; the callback may vmemcache_put() the
 * key, after which vmemcache_get() retries the lookup once.
 */
typedef void vmemcache_on_miss(VMEMcache *cache,
		const void *key, size_t key_size, void *arg);

/*
 * vmemcache_new -- allocate an unattached cache handle with the defaults
 * (size VMEMCACHE_MIN_POOL, extent VMEMCACHE_MIN_EXTENT, policy LRU).
 * Returns NULL with errno ENOMEM on failure.
 */
VMEMcache *vmemcache_new(void);

/*
 * Configuration; only before vmemcache_add() (EALREADY afterwards).
 *
 * libvmemcache-kdev: these values are NOT applied to the system-wide shared
 * cache (/dev/vmemcache); its capacity, extent size and policy are set by
 * the administrator in /sys/class/misc/vmemcache/.  The setters still
 * validate their arguments exactly like libvmemcache 0.8.
 */
/* rounded up to a page; < VMEMCACHE_MIN_POOL -> EINVAL */
int vmemcache_set_size(VMEMcache *cache, size_t size);
/* < VMEMCACHE_MIN_EXTENT -> EINVAL */
int vmemcache_set_extent_size(VMEMcache *cache, size_t extent_size);
/* >= VMEMCACHE_REPLACEMENT_NUM -> EINVAL */
int vmemcache_set_eviction_policy(VMEMcache *cache,
		enum vmemcache_repl_p repl_p);

/*
 * vmemcache_add -- attach the handle to its backing.
 *
 * libvmemcache-kdev currently supports only the system-wide shared cache:
 * @path must be a character device that answers VMEMCACHE_IOC_VERSION with
 * api_version >= 1, normally "/dev/vmemcache".  The errno of a failed
 * open() or VMEMCACHE_IOC_VERSION is passed on (e.g. ENOENT, EACCES,
 * ENOTTY).  A directory or a regular file (a private cache in
 * libvmemcache) fails with ENOTSUP for now, as does any other file type.
 * A second vmemcache_add() on the same handle fails with EALREADY.
 */
int vmemcache_add(VMEMcache *cache, const char *path);

/* Closes the device and frees the handle; the shared cache keeps its entries. */
void vmemcache_delete(VMEMcache *cache);

void vmemcache_callback_on_evict(VMEMcache *cache,
		vmemcache_on_evict *evict, void *arg);
void vmemcache_callback_on_miss(VMEMcache *cache,
		vmemcache_on_miss *miss, void *arg);

/*
 * vmemcache_get -- copy up to @vbufsize bytes of the value of @key,
 * starting at @offset, into @vbuf (which may be NULL if @vbufsize is 0).
 * Returns the number of bytes copied (0 if @offset is at or past the end)
 * and stores the whole value's size in *@vsize if @vsize is not NULL.
 * On a miss, calls the on_miss callback (if set), retries once, and then
 * fails with ENOENT.
 */
ssize_t vmemcache_get(VMEMcache *cache, const void *key, size_t key_size,
		void *vbuf, size_t vbufsize, size_t offset, size_t *vsize);

/*
 * vmemcache_exists -- 1 if @key is present (its value size in *@vsize if
 * @vsize is not NULL), 0 if not, -1 on error.  Does not count as a use.
 */
int vmemcache_exists(VMEMcache *cache, const void *key, size_t key_size,
		size_t *vsize);

/* Stores a new key; EEXIST if the key is present, ENOSPC if it cannot fit. */
int vmemcache_put(VMEMcache *cache, const void *key, size_t key_size,
		const void *value, size_t value_size);

/*
 * vmemcache_evict -- remove @key (ENOENT if absent), or with @key NULL the
 * least recently used entry nobody is reading (ESRCH if there is none).
 */
int vmemcache_evict(VMEMcache *cache, const void *key, size_t ksize);

/* @value points to a size_t and @value_size must be sizeof(size_t). */
int vmemcache_get_stat(VMEMcache *cache, enum vmemcache_statistic stat,
		void *value, size_t value_size);

/* The last error of the calling thread, as text. */
const char *vmemcache_errormsg(void);

/*
 * ---- libvmemcache-kdev extensions (not in libvmemcache 0.8) ----
 *
 * All of them need an attached cache (EINVAL before vmemcache_add()).
 */

/* vmemcache_put() with VMEMCACHE_PUT_* flags (VMEMCACHE_PUT_REPLACE). */
int vmemcache_put_flags(VMEMcache *cache, const void *key, size_t key_size,
		const void *value, size_t value_size, unsigned int flags);

/* All counters of the cache at once. */
int vmemcache_get_stats(VMEMcache *cache, struct vmemcache_stats *stats);

/* The module's API version, feature bits and limits. */
int vmemcache_get_version(VMEMcache *cache, struct vmemcache_version *ver);

/* The file descriptor of the open device, for raw ioctls or poll. */
int vmemcache_fd(VMEMcache *cache);

#ifdef __cplusplus
}
#endif

#endif /* LIBVMEMCACHE_H */

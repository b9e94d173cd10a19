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
 *
 * What a libvmemcache 0.8 program can notice (details at each function and
 * in libvmemcache-kdev(3), NOTES):
 *  - on_evict runs only for the evictions of this handle's own calls (and
 *    for a value that vmemcache_put_flags(VMEMCACHE_PUT_REPLACE) replaced);
 *    in it, a get of the evicted key is served from a copy of its value
 *    only on that handle, in that thread (other processes sharing the
 *    cache no longer see the key), and only for values the call's log
 *    could hold (see on_evict);
 *  - the shared cache (/dev/vmemcache) holds other processes' entries and
 *    keeps them after vmemcache_delete(); the setters are not applied to
 *    it; vmemcache_get_stat() counts this handle's traffic but the whole
 *    cache's entries and sizes;
 *  - Device DAX is not supported (a DAX block device is); a device holds
 *    one cache: a second vmemcache_add() of it fails with EBUSY;
 *  - an evict never fails with EAGAIN;
 *  - the DRAM and pool size statistics count the kernel's memory;
 *  - a get filled by on_miss with a NULL buffer returns 0, and copies from
 *    the value's offset (libvmemcache: the count, from the value's start);
 *  - vmemcache_bench_set() cannot turn indexing-only or no-allocation on;
 *  - error messages are libvmemcache's texts where it has one, else
 *    "function: details: strerror" (a get's miss among them).
 */
#ifndef LIBVMEMCACHE_H
#define LIBVMEMCACHE_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vmemcache.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The libvmemcache API this header provides. */
#define VMEMCACHE_MAJOR_VERSION 0
#define VMEMCACHE_MINOR_VERSION 8

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
 * on_evict -- called once for every entry that this handle's calls evicted:
 * the entries vmemcache_put() evicted to make room (even when the put then
 * failed), the key vmemcache_evict() removed, or the least recently used
 * entry vmemcache_evict(cache, NULL, 0) removed.
 *
 * When: after the put or evict has returned from the kernel and before the
 * library function returns to its caller, in the calling thread, in the
 * order the entries were evicted.  As in libvmemcache 0.8, the entry still
 * exists for the callback: vmemcache_get() and vmemcache_exists() of the
 * evicted key on this handle, from the callback, return its value's exact
 * bytes and size (the kernel copied the value, before its space was
 * reused, into the buffer the library passed; VMEMCACHE_FEAT_EVICTED_VALUES).
 * Other keys are looked up as usual.  For other processes and handles the
 * key is gone already.  A put that replaces a key's value
 * (VMEMCACHE_PUT_REPLACE) calls it for the old value, readable the same
 * way (not counted as an eviction).  A value larger than the room left in
 * the buffer (about the cache's size), or one the kernel could not read
 * (a media error) or not stage (over 16 MiB while the buffer's pages were
 * not in memory), is reported with its key and size only: the get misses.
 * The callback may call any function of the library on the same handle.
 *
 * Entries evicted by other handles or processes sharing the cache, or by an
 * administrator's reset, are not reported.  The kernel writes the evicted
 * keys into a buffer the library passes with the put or evict (no extra
 * system call), sized for the most the call can evict (a put of V bytes:
 * about V / extent entries with keys of up to 64 KiB), in address space
 * reserved once per thread of which only what the kernel writes is
 * touched (with values: room for the cache's size more, up to 1 GiB).  Reports are lost only if that reservation fails (the first
 * ones are then reported from 1 MiB of malloc'd memory), or if other
 * threads' puts make one put evict more than its bound.  On a kernel
 * without VMEMCACHE_FEAT_EVICTED_LOG only vmemcache_evict() of a named key
 * is reported.
 */
typedef void vmemcache_on_evict(VMEMcache *cache,
		const void *key, size_t key_size, void *arg);

/*
 * on_miss -- called by vmemcache_get() on a miss, before it returns.  As in
 * libvmemcache, a vmemcache_put() of the key on the same handle from the
 * callback (same thread) also serves the get that missed: the get copies
 * from the value being put (from its offset, up to vbufsize bytes, the
 * size in *vsize) and returns that count, even if the put then fails.  The
 * key is not looked up again (it cannot be evicted in between) and the get
 * counts as one get and one miss.  Without such a put the get fails with
 * ENOENT.
 */
typedef void vmemcache_on_miss(VMEMcache *cache,
		const void *key, size_t key_size, void *arg);

/*
 * vmemcache_new -- allocate an unattached cache handle with the defaults of
 * libvmemcache 0.8: size 0 (VMEMCACHE_MIN_POOL for a DRAM cache, the whole
 * device for a DAX one), extent VMEMCACHE_MIN_EXTENT, policy LRU.
 * Returns NULL with errno ENOMEM on failure.
 *
 * The older 4-argument form is accepted too (see vmemcache_new4() below):
 * vmemcache_new(path, size, extent_size, policy) creates and attaches a
 * handle in one call.  A macro picks the function by the number of
 * arguments; (vmemcache_new)() or &vmemcache_new name the 0-argument one.
 */
VMEMcache *(vmemcache_new)(void);
VMEMcache *vmemcache_new0(void);

/*
 * Configuration; only before vmemcache_add() (EALREADY afterwards).
 *
 * libvmemcache-kdev: these values are NOT applied to the system-wide shared
 * cache (/dev/vmemcache); its capacity, extent size and policy are set by
 * the administrator in /sys/class/misc/vmemcache/.  The setters still
 * validate their arguments exactly like libvmemcache 0.8, with its error
 * messages.
 */
/* rounded up to a page; < VMEMCACHE_MIN_POOL -> EINVAL */
int vmemcache_set_size(VMEMcache *cache, size_t size);
/* < VMEMCACHE_MIN_EXTENT -> EINVAL */
int vmemcache_set_extent_size(VMEMcache *cache, size_t extent_size);
/* >= VMEMCACHE_REPLACEMENT_NUM -> EINVAL */
int vmemcache_set_eviction_policy(VMEMcache *cache,
		enum vmemcache_repl_p repl_p);
/*
 * libvmemcache-kdev 1.4: the NUMA node every page of a private DRAM pool
 * comes from (e.g. CXL or device-DAX memory onlined as a CPU-less node);
 * -1 (the default): any node.  < -1 -> EINVAL.  vmemcache_add() then
 * fails with EINVAL for anything but a directory off DAX (the shared
 * cache's node is /sys/class/misc/vmemcache/numa_node), ENODEV for a
 * node that is not online or has no memory (EINVAL: no such node),
 * ENOMEM for a node without room, ENOTSUP for a module without
 * VMEMCACHE_FEAT_NUMA_NODE.
 */
int vmemcache_set_numa_node(VMEMcache *cache, int node);

/*
 * vmemcache_add_tier -- give the private cache vmemcache_add() will make a
 * slow tier behind its pool: puts land in the pool vmemcache_add() picks
 * (the fast tier), entries it evicts move into the slow tier, and only
 * what the slow tier evicts leaves the cache (on_evict is called for
 * those alone).  @path picks the slow pool as vmemcache_add() picks
 * the cache's: NULL or "" a DRAM pool, a directory on a DAX filesystem
 * a temporary file there (another directory: DRAM), a DAX block device
 * (/dev/pmemN) that device.  @size is its size (0: 1 MiB for DRAM or a
 * file, the whole device).  Before vmemcache_add() (EALREADY after),
 * once (EBUSY); vmemcache_add() then fails with ENOTSUP when the module
 * has no tiers (VMEMCACHE_FEAT_TIERS), EINVAL for the shared cache or
 * the NONE eviction policy.  Since 1.5.
 */
int vmemcache_add_tier(VMEMcache *cache, const char *path, size_t size);

/*
 * vmemcache_get_tier_stats -- the per-tier counters of an attached cache
 * (VMEMCACHE_IOC_TIER_STATS): hits, entries and pool use of each tier,
 * demotions and promotions.  ENOTSUP without VMEMCACHE_FEAT_TIERS.
 * Since 1.5.
 */
int vmemcache_get_tier_stats(VMEMcache *cache,
			     struct vmemcache_tier_stats *st);

/*
 * vmemcache_add -- attach the handle to its backing, by the type of @path:
 *
 *  - a directory on a DAX filesystem (ext4 or xfs -o dax on pmem; a
 *    temporary file there has statx's STATX_ATTR_DAX): a new private cache
 *    of the set size whose pool is an O_TMPFILE file there, as
 *    libvmemcache made it, sized with fallocate() (ENOSPC: no room) and
 *    held by the kernel while the cache lives: df shows the space used,
 *    umount fails with EBUSY, and the file is freed with the cache.
 *    ENOTSUP if the module cannot keep a pool in a file.
 *  - any other directory: a new private cache in DRAM of the set size (as
 *    libvmemcache's temporary file in that directory; a file off DAX
 *    would be page cache, DRAM all the same).  The pool is allocated at
 *    once and charged to the caller's memory cgroup; the directory must
 *    be writable and searchable (EACCES).  The cache is made through the device $VMEMCACHE_DEV
 *    (default /dev/vmemcache), whose open() errno is passed on; the
 *    administrator's bounds (total private pools, caches per user) give
 *    EDQUOT, the memory cgroup's limit ENOMEM.
 *  - a DAX-capable block device (/dev/pmemN, fsdax): a new private cache on
 *    that device, claimed exclusively while the cache lives (EBUSY if
 *    mounted or claimed); size 0 takes the whole device, a size above the
 *    device's is EINVAL.  A block device without DAX: EOPNOTSUPP.  A device
 *    holds one cache: a second vmemcache_add() of it (two caches on one
 *    device, as libvmemcache's two-level example makes) fails with EBUSY,
 *    "vmemcache_add: /dev/pmem0 is in use: Device or resource busy".
 *  - the vmemcache device (/dev/vmemcache): the system-wide shared cache,
 *    with other processes' entries, kept after vmemcache_delete().  Size,
 *    extent size and policy are not applied to it (see above);
 *    vmemcache_get_stat() counts this handle's traffic (see there).
 *  - any other character device: EINVAL, as libvmemcache's "not a Device
 *    DAX"; any other file: ENOTDIR; a missing path: ENOENT.
 *
 * Error messages as libvmemcache's: "invalid (NULL) path", "open: Not a
 * directory" (and "open: <strerror>" for a missing or unwritable path), "the
 * cache is already initialized".
 *
 * An extent size above the set size is EINVAL; extent sizes are rounded up
 * to a multiple of 8 bytes.  A second vmemcache_add() on an attached handle
 * fails with EBUSY, as in libvmemcache.  A private cache lives until
 * vmemcache_delete() (in every process that inherited it, with fork()).
 */
int vmemcache_add(VMEMcache *cache, const char *path);

/*
 * Closes the handle and frees it: a private cache is freed with it (unless
 * a forked child still holds it), the shared cache keeps its entries.
 */
void vmemcache_delete(VMEMcache *cache);

void vmemcache_callback_on_evict(VMEMcache *cache,
		vmemcache_on_evict *evict, void *arg);
void vmemcache_callback_on_miss(VMEMcache *cache,
		vmemcache_on_miss *miss, void *arg);

/*
 * vmemcache_evict_ex -- (extension) on_evict with the evicted value's size,
 * called at the same moments.  Setting it clears on_evict and the other way
 * round.
 */
typedef void vmemcache_on_evict_ex(VMEMcache *cache,
		const void *key, size_t key_size, size_t value_size, void *arg);
void vmemcache_callback_on_evict_ex(VMEMcache *cache,
		vmemcache_on_evict_ex *evict, void *arg);

/*
 * vmemcache_get -- copy up to @vbufsize bytes of the value of @key,
 * starting at @offset, into @vbuf (a NULL @vbuf copies nothing, whatever
 * @vbufsize, as in libvmemcache).
 * Returns the number of bytes copied (0 if @offset is at or past the end)
 * and stores the whole value's size in *@vsize if @vsize is not NULL.
 * On a miss, calls the on_miss callback (if set), whose put of the key
 * serves the get (see on_miss above); otherwise fails with ENOENT.
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

/*
 * @value points to a size_t and @value_size must be sizeof(size_t).
 * On the shared cache, PUT, GET, HIT, MISS and EVICT count what this handle
 * did since vmemcache_add() (as a libvmemcache program's own cache would);
 * ENTRIES and the sizes are the whole shared cache's.  On a private cache
 * all are the cache's.  vmemcache_get_stats() returns the kernel's counters.
 */
int vmemcache_get_stat(VMEMcache *cache, enum vmemcache_statistic stat,
		void *value, size_t value_size);

/* The last error of the calling thread, as text. */
const char *vmemcache_errormsg(void);

/*
 * vmemcache_bench_set -- libvmemcache's benchmark hooks (unstable there
 * too).  VMEMCACHE_BENCH_NO_MEMCPY != 0: gets copy nothing into the
 * caller's buffer but return what they would have copied (the kernel still
 * copies puts: their values stay valid); 0 restores copying.
 * VMEMCACHE_BENCH_PREFAULT does nothing (the pool is allocated when the
 * cache is made).  VMEMCACHE_BENCH_INDEX_ONLY and VMEMCACHE_BENCH_NO_ALLOC
 * with a non-zero value cannot be done by the kernel module: they change
 * nothing, and set errno ENOTSUP and the error message; with 0 they do
 * nothing.  Another @cfg: errno EINVAL, "invalid config parameter: N".
 */
enum vmemcache_bench_cfg {
	/* in libvmemcache these corrupt the data: benchmarks only */
	VMEMCACHE_BENCH_INDEX_ONLY,	/* disable anything but indexing */
	VMEMCACHE_BENCH_NO_ALLOC,	/* index+repl but no alloc */
	VMEMCACHE_BENCH_NO_MEMCPY,	/* alloc but don't copy data */
	VMEMCACHE_BENCH_PREFAULT,	/* prefault the whole pool */
};

void vmemcache_bench_set(VMEMcache *cache, enum vmemcache_bench_cfg cfg,
		size_t val);

/*
 * ---- libvmemcache-kdev extensions (not in libvmemcache 0.8) ----
 *
 * All of them need an attached cache (EINVAL before vmemcache_add()).
 */

/*
 * vmemcache_new4 -- the 4-argument vmemcache_new(path, size, extent_size,
 * policy) of libvmemcache before 0.8: vmemcache_new0(), the three setters
 * (a size of 0 keeps the default) and vmemcache_add(@path).  Returns NULL
 * with errno and the error message of the step that failed.
 */
VMEMcache *vmemcache_new4(const char *path, size_t size, size_t extent_size,
		enum vmemcache_repl_p repl_p);

/*
 * vmemcache_new() passes one empty argument, the old form four: the fifth
 * parameter of VMEMCACHE_NEW_PICK_ lands on the function to call (plain
 * C99/C++11 preprocessing, no extension).  1-3 arguments do not compile.
 */
#define VMEMCACHE_NEW_PICK_(_1, _2, _3, _4, fn, ...) fn
#define vmemcache_new(...) VMEMCACHE_NEW_PICK_(__VA_ARGS__,		\
	vmemcache_new4, vmemcache_new_takes_0_or_4_arguments,		\
	vmemcache_new_takes_0_or_4_arguments, vmemcache_new0, )(__VA_ARGS__)

/*
 * vmemcache_put() with flags: VMEMCACHE_PUT_IF_ABSENT (0, the default:
 * EEXIST if the key is present) or VMEMCACHE_PUT_REPLACE (replace the value
 * atomically: a concurrent get sees the old or the new one).
 */
#define VMEMCACHE_PUT_IF_ABSENT 0
int vmemcache_put_flags(VMEMcache *cache, const void *key, size_t key_size,
		const void *value, size_t value_size, unsigned int flags);

/*
 * vmemcache_evict() with flags: VMEMCACHE_EVICT_NO_CALLBACK removes the
 * entry without calling on_evict (and without asking the kernel for the
 * evicted key).  Other bits: EINVAL.
 */
#define VMEMCACHE_EVICT_NO_CALLBACK 1u
int vmemcache_evict_flags(VMEMcache *cache, const void *key, size_t ksize,
		unsigned int flags);

/*
 * vmemcache_evict_prefix -- evict every entry whose key starts with the
 * @prefix_size (>= 1) bytes at @prefix; returns how many it evicted (0 if
 * none), or -1 with errno.  on_evict runs for each, as for vmemcache_evict()
 * (flags: 0 or VMEMCACHE_EVICT_NO_CALLBACK); with a callback the keys are
 * listed and evicted one at a time, so that each reaches it.  Entries put
 * while it runs may survive.  Needs a kernel with
 * VMEMCACHE_FEAT_EVICT_PREFIX (ENOTSUP otherwise).
 */
ssize_t vmemcache_evict_prefix(VMEMcache *cache, const void *prefix,
		size_t prefix_size, unsigned int flags);

/*
 * vmemcache_list -- call @cb for every key (that starts with the
 * @prefix_size bytes at @prefix; 0 for all keys), with its value's size.
 * @cb returns 0 to go on, anything else to stop: vmemcache_list() then
 * returns that value.  Returns 0 when every key was listed, -1 with errno
 * on failure.  Listing is not a use: the LRU order and the counters stay.
 * The keys come from the kernel a bufferful at a time, in a hashed order:
 * a key present for the whole listing is listed exactly once; a key put or
 * evicted meanwhile (from @cb too) may or may not be.  Needs VMEMCACHE_FEAT_LIST (ENOTSUP otherwise).
 */
typedef int vmemcache_list_cb(VMEMcache *cache, const void *key,
		size_t key_size, size_t value_size, void *arg);
int vmemcache_list(VMEMcache *cache, const void *prefix, size_t prefix_size,
		vmemcache_list_cb *cb, void *arg);

/*
 * vmemcache_batch -- carry out @n operations (struct vmemcache_batch_item
 * of <linux/vmemcache.h>: GET, PUT, EXISTS or EVICT, each with its key and
 * buffer) with one system call per VMEMCACHE_BATCH_MAX of them.  Each
 * item gets its own result in items[i].result: 0 or a negative errno, the
 * one its own function would set (-ENOENT for a miss, -EEXIST, -ENOSPC,
 * ...), and value_size/copied for GET and EXISTS.  Returns 0 when every
 * item ran (whatever their results), -1 with errno when the batch itself is
 * bad (EINVAL, EFAULT).  on_evict runs for the entries the puts and evicts
 * removed, after the system call; on_miss does not run for batched gets.
 * Needs VMEMCACHE_FEAT_BATCH (ENOTSUP otherwise).
 */
int vmemcache_batch(VMEMcache *cache, struct vmemcache_batch_item *items,
		size_t n);

/*
 * vmemcache_get_exact -- like vmemcache_get() from offset 0, but a value
 * larger than @vbufsize is an error: -1 with errno ENOSPC and the size the
 * buffer needs in *@vsize (which must not be NULL).  On success returns the
 * value's size.  A miss runs on_miss as vmemcache_get() does.
 */
ssize_t vmemcache_get_exact(VMEMcache *cache, const void *key,
		size_t key_size, void *vbuf, size_t vbufsize, size_t *vsize);

/*
 * What the kernel stores with a value besides it (VMEMCACHE_FEAT_ITEM_META):
 * @flags: for vmemcache_put_ex(): 0 (store if the key is absent or its
 *	entry expired), or VMEMCACHE_PUT_REPLACE, VMEMCACHE_PUT_PRESENT
 *	(only over a live entry: ENOENT otherwise) or VMEMCACHE_PUT_CAS (only
 *	over a live entry whose version is @cas: EEXIST when it changed,
 *	ENOENT when it is gone); ignored by vmemcache_get_ex()
 * @client_flags: 32 opaque bits stored with the value
 * @cas: vmemcache_get_ex(): the entry's version, which every store renews;
 *	vmemcache_put_ex(): the version VMEMCACHE_PUT_CAS requires
 * @expiry: the second of CLOCK_BOOTTIME (clock_gettime()'s tv_sec) from
 *	which the entry is a miss; 0: never
 */
struct vmemcache_meta {
	unsigned int flags;
	uint32_t client_flags;
	uint64_t cas;
	uint32_t expiry;
};

/*
 * vmemcache_put_ex -- vmemcache_put() with @meta (NULL: as vmemcache_put()).
 * ENOTSUP when the kernel lacks VMEMCACHE_FEAT_ITEM_META and @meta asks for
 * anything vmemcache_put_flags() cannot do.
 */
int vmemcache_put_ex(VMEMcache *cache, const void *key, size_t key_size,
		const void *value, size_t value_size,
		const struct vmemcache_meta *meta);

/*
 * vmemcache_get_ex -- vmemcache_get() that also fills *@meta (its @flags
 * set to 0) when @meta is not NULL and the get hits.  An expired entry is
 * a miss.  ENOTSUP without VMEMCACHE_FEAT_ITEM_META.
 */
ssize_t vmemcache_get_ex(VMEMcache *cache, const void *key, size_t key_size,
		void *vbuf, size_t vbufsize, size_t offset, size_t *vsize,
		struct vmemcache_meta *meta);

/*
 * What the kernel keeps of an entry's use (VMEMCACHE_FEAT_ITEM_STATE):
 * @state: VMEMCACHE_STATE_* bits: VMEMCACHE_STATE_FETCHED, a get read it
 * @last_access: the second of CLOCK_BOOTTIME of its last access (its put
 *	or the last get); 0 when the kernel cannot keep it (32-bit kernels)
 */
struct vmemcache_item_state {
	unsigned int state;
	uint32_t last_access;
};

/*
 * vmemcache_get_state -- vmemcache_get_ex() that also fills *@st with the
 * entry's state as it was before this get (every get marks the entry
 * fetched and accessed now).  ENOTSUP without VMEMCACHE_FEAT_ITEM_STATE;
 * *@st stays zero for a value on_miss served.
 */
ssize_t vmemcache_get_state(VMEMcache *cache, const void *key,
		size_t key_size, void *vbuf, size_t vbufsize, size_t offset,
		size_t *vsize, struct vmemcache_meta *meta,
		struct vmemcache_item_state *st);

/*
 * vmemcache_touch_ex -- vmemcache_touch() with VMEMCACHE_TOUCH_* @flags:
 * VMEMCACHE_TOUCH_KEEP_EXPIRY leaves the expiry (@expiry must be 0),
 * VMEMCACHE_TOUCH_STALE marks the entry stale and gives its win token
 * back, VMEMCACHE_TOUCH_WIN takes the token (EALREADY when it was taken:
 * of racing takers exactly one succeeds).  ENOTSUP without
 * VMEMCACHE_FEAT_ITEM_STATE.
 */
int vmemcache_touch_ex(VMEMcache *cache, const void *key, size_t key_size,
		uint32_t expiry, unsigned int flags);

/*
 * vmemcache_exists_ex -- vmemcache_exists() that also fills *@meta and
 * *@st (each when not NULL) when the key is present, without counting as
 * a use or changing the state.  It does not see an entry being evicted to
 * the eviction callback.  ENOTSUP without VMEMCACHE_FEAT_ITEM_META (@meta)
 * or VMEMCACHE_FEAT_ITEM_STATE (@st).
 */
int vmemcache_exists_ex(VMEMcache *cache, const void *key, size_t key_size,
		size_t *vsize, struct vmemcache_meta *meta,
		struct vmemcache_item_state *st);

/*
 * vmemcache_touch -- give the live entry of @key the expiry @expiry (as in
 * struct vmemcache_meta); its value, flags and version stay.  ENOENT when
 * the key is absent or expired, ENOTSUP without VMEMCACHE_FEAT_ITEM_META.
 */
int vmemcache_touch(VMEMcache *cache, const void *key, size_t key_size,
		uint32_t expiry);

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

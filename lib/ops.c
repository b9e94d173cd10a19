// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ops.c -- the key-value operations of an attached cache: put, get,
 * exists and evict, each one ioctl on the cache's descriptor.
 *
 * on_evict: when a callback is set and the kernel has
 * VMEMCACHE_FEAT_EVICTED_LOG, a put or evict passes a buffer in which the
 * kernel writes the keys (and value sizes) of the entries it evicted; the
 * callbacks run from that buffer once the ioctl has returned.  No system
 * call is added, and nothing is asked of the kernel without a callback.
 *
 * With VMEMCACHE_FEAT_EVICTED_VALUES the kernel copies each evicted value
 * (and the value a replacing put removed) into the log too, and while its
 * on_evict runs, a get or exists of that key on that handle, in that
 * thread, is served from the copy: the entry still exists for the
 * callback, as in libvmemcache.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmc_internal.h"

/*
 * The evicted-entries log is sized for the most a call can evict: a put of
 * V bytes evicts at most about V / extent entries (each frees an extent at
 * least), an evict one, each with a key of up to max_key_size bytes.  Most
 * of such a buffer is never touched, so it is anonymous memory reserved
 * once per thread (the kernel writes the records into it lazily) and
 * reused; the pages a call used are given back when they were many.
 */
#define VMC_EVLOG_MIN	((size_t)1 << 20)
#define VMC_EVLOG_CAP	((size_t)1 << (sizeof(void *) > 4 ? 30 : 26))
#define VMC_EVLOG_KEEP	((size_t)1 << 20)	/* pages kept resident */

struct vmc_evbuf {
	void *p;
	size_t size;
	int heap;	/* malloc'd: no address space could be reserved */
	int values;	/* the records are to carry the values */
};

/* The calling thread's idle buffer; a call owns it while it runs. */
static __thread struct vmc_evbuf vmc_tl_evbuf;
static pthread_key_t vmc_evbuf_key;
static pthread_once_t vmc_evbuf_once = PTHREAD_ONCE_INIT;
static int vmc_evbuf_key_ok;

static void vmc_evbuf_unmap(void *arg)
{
	(void)arg;
	if (vmc_tl_evbuf.p)
		munmap(vmc_tl_evbuf.p, vmc_tl_evbuf.size);
	vmc_tl_evbuf.p = NULL;
	vmc_tl_evbuf.size = 0;
}

static void vmc_evbuf_key_init(void)
{
	vmc_evbuf_key_ok = !pthread_key_create(&vmc_evbuf_key,
					       vmc_evbuf_unmap);
}

static int vmc_wants_evicted(const VMEMcache *cache)
{
	return (cache->on_evict || cache->on_evict_ex) &&
	       (cache->ver.features & VMEMCACHE_FEAT_EVICTED_LOG);
}

static int vmc_wants_values(const VMEMcache *cache)
{
	return vmc_wants_evicted(cache) &&
	       (cache->ver.features & VMEMCACHE_FEAT_EVICTED_VALUES);
}

/*
 * Bytes of values a log must have room for: the pool's size, which no
 * call's evictions exceed (the shared cache's is not known here).
 */
static size_t vmc_evlog_values(const VMEMcache *cache)
{
	if (cache->kind != VMC_SHARED && cache->size &&
	    cache->size < VMC_EVLOG_CAP)
		return cache->size;
	return VMC_EVLOG_CAP;
}

/* The smallest extent the cache can have: bounds a put's evictions. */
static size_t vmc_min_extent(const VMEMcache *cache)
{
	if (cache->kind != VMC_SHARED && cache->extent_size >= 64)
		return cache->extent_size & ~(size_t)7;
	return 64;	/* the kernel's minimum; the shared cache may use it */
}

/* Bytes of log for @evictions entries evicted by one call. */
static size_t vmc_evlog_need(const VMEMcache *cache, size_t evictions)
{
	size_t key = cache->ver.max_key_size ? cache->ver.max_key_size :
			VMEMCACHE_MAX_KEY_SIZE;
	size_t rec = (size_t)VMEMCACHE_EVICTED_REC_SIZE(key);

	if (evictions > (VMC_EVLOG_CAP - sizeof(struct vmemcache_evicted_log)) /
			rec)
		return VMC_EVLOG_CAP;
	return sizeof(struct vmemcache_evicted_log) + evictions * rec;
}

/* How many entries a put of @value_size bytes can evict. */
static size_t vmc_put_evictions(const VMEMcache *cache, size_t value_size)
{
	return value_size / vmc_min_extent(cache) + 2;
}

/*
 * Takes a buffer of at least @need bytes for a log: the thread's idle one
 * if it is large enough, else a new mapping.  Returns 0, or -1 when no
 * memory could be mapped.
 */
static int vmc_evbuf_take(size_t need, struct vmc_evbuf *b)
{
	size_t size = VMC_EVLOG_MIN;
	void *p;

	b->heap = 0;
	if (vmc_tl_evbuf.p && vmc_tl_evbuf.size >= need) {
		*b = vmc_tl_evbuf;
		vmc_tl_evbuf.p = NULL;
		vmc_tl_evbuf.size = 0;
		return 0;
	}
	while (size < need && size < VMC_EVLOG_CAP)
		size <<= 1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		/* Room for the first evictions at least. */
		size = need < VMC_EVLOG_MIN ? need : VMC_EVLOG_MIN;
		p = malloc(size);
		if (!p)
			return -1;
		b->heap = 1;
	}
	b->p = p;
	b->size = size;
	return 0;
}

/* Gives a buffer back: it becomes the thread's idle one if it is larger. */
static void vmc_evbuf_give(struct vmc_evbuf *b, size_t used)
{
	if (b->heap) {
		free(b->p);
		b->p = NULL;
		return;
	}
	pthread_once(&vmc_evbuf_once, vmc_evbuf_key_init);
	if (used > VMC_EVLOG_KEEP && b->size > VMC_EVLOG_KEEP)
		madvise((char *)b->p + VMC_EVLOG_KEEP, b->size - VMC_EVLOG_KEEP,
			MADV_DONTNEED);
	if (vmc_evbuf_key_ok && b->size > vmc_tl_evbuf.size) {
		struct vmc_evbuf old = vmc_tl_evbuf;

		vmc_tl_evbuf = *b;
		/* The key's value only makes the destructor run. */
		pthread_setspecific(vmc_evbuf_key, &vmc_tl_evbuf);
		*b = old;
	}
	if (b->p)
		munmap(b->p, b->size);
	b->p = NULL;
}

/*
 * The log of a call on @cache that may evict @evictions entries, in @b:
 * sized for them when on_evict wants their keys (and @report), a bare header on the
 * shared cache to count them for the handle (b->p then points at @hdr),
 * or none (NULL).
 */
static struct vmemcache_evicted_log *
vmc_evlog_begin(VMEMcache *cache, size_t evictions, int report,
		struct vmc_evbuf *b, struct vmemcache_evicted_log *hdr)
{
	int want = report && vmc_wants_evicted(cache);
	size_t need = vmc_evlog_need(cache, evictions);

	b->p = NULL;
	b->size = 0;
	b->heap = 0;
	b->values = 0;
	if (!(cache->ver.features & VMEMCACHE_FEAT_EVICTED_LOG))
		return NULL;
	if (want && vmc_wants_values(cache))
		need = need + vmc_evlog_values(cache) < VMC_EVLOG_CAP ?
		       need + vmc_evlog_values(cache) : VMC_EVLOG_CAP;
	if (want && !vmc_evbuf_take(need, b)) {
		memset(b->p, 0, sizeof(*hdr));
		b->values = vmc_wants_values(cache);
		return b->p;
	}
	if (cache->kind != VMC_SHARED && !want)
		return NULL;
	/* No memory for the keys: the count at least. */
	memset(hdr, 0, sizeof(*hdr));
	b->p = hdr;
	b->size = sizeof(*hdr);
	return hdr;
}

/*
 * The entry whose on_evict runs in this thread, with its value when the
 * kernel copied it: a get or exists of its key on its handle is served
 * from it.  Callbacks that evict in turn stack.
 */
struct vmc_evicting {
	VMEMcache *cache;
	const void *key;
	size_t key_size;
	const void *value;	/* NULL: not carried */
	size_t value_size;
	struct vmc_evicting *prev;
};

static __thread struct vmc_evicting *vmc_evicting_top;

/* The value of @key being evicted from @cache, if its on_evict is running. */
static const struct vmc_evicting *vmc_evicting_find(VMEMcache *cache,
						    const void *key,
						    size_t key_size)
{
	const struct vmc_evicting *e;

	for (e = vmc_evicting_top; e; e = e->prev)
		if (e->cache == cache && e->value && e->key_size == key_size &&
		    !memcmp(e->key, key, key_size))
			return e;
	return NULL;
}

/* Calls on_evict for one record; @value is its copy, or NULL. */
static void vmc_evict_callback(VMEMcache *cache, const void *key,
			       size_t key_size, const void *value,
			       size_t value_size)
{
	struct vmc_evicting ev = {
		.cache = cache, .key = key, .key_size = key_size,
		.value = value, .value_size = value_size,
		.prev = vmc_evicting_top,
	};

	vmc_evicting_top = &ev;
	if (cache->on_evict)
		cache->on_evict(cache, key, key_size, cache->on_evict_arg);
	else if (cache->on_evict_ex)
		cache->on_evict_ex(cache, key, key_size, value_size,
				   cache->on_evict_ex_arg);
	vmc_evicting_top = ev.prev;
}

/*
 * Runs the on_evict callbacks for the records of @log, counts the
 * evictions for the handle and gives the buffer back.  A replaced value
 * (logs with values only) reaches on_evict but is no eviction.
 */
static void vmc_evlog_deliver(VMEMcache *cache,
			      struct vmemcache_evicted_log *log,
			      struct vmc_evbuf *b)
{
	const uint8_t *p = (const uint8_t *)(log + 1);
	const uint8_t *end = (const uint8_t *)log + b->size;
	struct vmemcache_evicted_rec rec;
	size_t used = log->used, replaced = 0;
	__u32 i, count = log->count;

	if (log->used <= b->size)
		end = (const uint8_t *)log + log->used;
	for (i = 0; i < count; i++) {
		const void *value = NULL;
		__u64 size;

		if ((size_t)(end - p) < sizeof(rec))
			break;
		memcpy(&rec, p, sizeof(rec));
		if (!b->values)
			rec.rec_flags = 0;
		size = VMEMCACHE_EVICTED_REC_SIZE(rec.key_len);
		if (rec.rec_flags & VMEMCACHE_EVICTED_REC_VALUE) {
			value = p + size;
			size = VMEMCACHE_EVICTED_VREC_SIZE(rec.key_len,
							   rec.value_size);
		}
		if (size > (size_t)(end - p))
			break;
		if (rec.rec_flags & VMEMCACHE_EVICTED_REC_REPLACED)
			replaced++;
		vmc_evict_callback(cache, p + sizeof(rec), rec.key_len, value,
				   (size_t)rec.value_size);
		p += size;
	}
	vmc_count(&cache->n_evictions, log->count - replaced + log->dropped);
	if (b->size > sizeof(*log))
		vmc_evbuf_give(b, used);
}

/*
 * Runs ioctl @cmd on @arg, with the log @log in @b (none when NULL) placed
 * in @arg's fields *@evicted and *@evicted_size, and delivers what the log
 * holds afterwards: evictions happen even for a call that fails at last.
 * Returns the ioctl's result, with errno as the ioctl left it.
 */
static int vmc_ioctl_evlog(VMEMcache *cache, unsigned long cmd, void *arg,
			   __u64 *evicted, __u64 *evicted_size,
			   struct vmemcache_evicted_log *log,
			   struct vmc_evbuf *b)
{
	int ret, err;

	if (log) {
		*evicted = vmc_uptr(log);
		*evicted_size = b->size;
	}
	ret = vmc_ioctl(cache->fd, cmd, arg);
	err = errno;
	if (log)
		vmc_evlog_deliver(cache, log, b);
	errno = err;
	return ret;
}

/*
 * A vmemcache_get() waiting for its on_miss callback: a put of the same
 * key on the same handle from the callback (in this thread) serves it
 * from the value being put, as libvmemcache does, so the get neither
 * looks the key up again nor can miss an entry evicted meanwhile.
 * Nested gets (on_miss getting other keys) stack.
 */
struct vmc_pending {
	VMEMcache *cache;
	const void *key;
	size_t key_size;
	void *vbuf;
	size_t vbufsize;
	size_t offset;
	size_t *vsize;
	int filled;
	ssize_t copied;
	struct vmc_pending *prev;
};

static __thread struct vmc_pending *vmc_pending_top;

/* Serves a pending get of @key, if there is one, from @value. */
static void vmc_pending_fill(VMEMcache *cache, const void *key,
			     size_t key_size, const void *value,
			     size_t value_size)
{
	struct vmc_pending *pg;
	size_t n = 0;

	for (pg = vmc_pending_top; pg; pg = pg->prev)
		if (!pg->filled && pg->cache == cache &&
		    pg->key_size == key_size &&
		    !memcmp(pg->key, key, key_size))
			break;
	if (!pg || !value || !value_size)
		return;
	if (pg->vbuf && !cache->bench_no_memcpy && pg->offset < value_size) {
		n = value_size - pg->offset;
		if (n > pg->vbufsize)
			n = pg->vbufsize;
		memcpy(pg->vbuf, (const char *)value + pg->offset, n);
	} else if (pg->vbuf && pg->offset < value_size) {
		n = value_size - pg->offset;
		if (n > pg->vbufsize)
			n = pg->vbufsize;
	}
	if (pg->vsize)
		*pg->vsize = value_size;
	pg->copied = (ssize_t)n;
	pg->filled = 1;
}

/* One VMEMCACHE_IOC_PUT on behalf of the public function @func. */
static int vmc_put(VMEMcache *cache, const void *key, size_t key_size,
		   const void *value, size_t value_size, unsigned int flags,
		   const struct vmemcache_meta *meta, const char *func)
{
	struct vmemcache_evicted_log *log, hdr;
	struct vmemcache_put put;
	struct vmc_evbuf b;
	int ret;

	if (vmc_check_attached(cache, func) || vmc_check_key(key_size, func))
		return -1;
	/* Before the put, which may fail: libvmemcache serves it anyway. */
	if (vmc_pending_top)
		vmc_pending_fill(cache, key, key_size, value, value_size);
	memset(&put, 0, sizeof(put));
	put.key = vmc_uptr(key);
	put.key_len = (__u32)key_size;
	put.value = vmc_uptr(value);
	put.value_len = value_size;
	put.flags = flags;
	if (meta) {
		put.cas = meta->cas;
		put.client_flags = meta->client_flags;
		put.expiry = meta->expiry;
	}
	log = vmc_evlog_begin(cache, vmc_put_evictions(cache, value_size), 1,
			      &b, &hdr);
	if (b.values)
		put.flags |= VMEMCACHE_PUT_EVICTED_VALUES;
	ret = vmc_ioctl_evlog(cache, VMEMCACHE_IOC_PUT, &put, &put.evicted,
			      &put.evicted_size, log, &b);
	if (ret)
		return vmc_fail_kernel(errno, func);
	vmc_count(&cache->n_puts, 1);
	return 0;
}

VMC_API int vmemcache_put(VMEMcache *cache, const void *key, size_t key_size,
			  const void *value, size_t value_size)
{
	return vmc_put(cache, key, key_size, value, value_size, 0, NULL,
		       __func__);
}

VMC_API int vmemcache_put_flags(VMEMcache *cache, const void *key,
				size_t key_size, const void *value,
				size_t value_size, unsigned int flags)
{
	return vmc_put(cache, key, key_size, value, value_size, flags, NULL,
		       __func__);
}

VMC_API int vmemcache_put_ex(VMEMcache *cache, const void *key,
			     size_t key_size, const void *value,
			     size_t value_size,
			     const struct vmemcache_meta *meta)
{
	if (!meta)
		return vmc_put(cache, key, key_size, value, value_size, 0,
			       NULL, __func__);
	if (vmc_check_attached(cache, __func__))
		return -1;
	/* The evicted log's flags are the library's to set. */
	if (meta->flags & ~(unsigned int)(VMEMCACHE_PUT_REPLACE |
					  VMEMCACHE_PUT_CAS |
					  VMEMCACHE_PUT_PRESENT))
		return vmc_fail(EINVAL, __func__, "unknown flags %#x",
				meta->flags);
	if (!(cache->ver.features & VMEMCACHE_FEAT_ITEM_META) &&
	    ((meta->flags & ~VMEMCACHE_PUT_REPLACE) || meta->cas ||
	     meta->client_flags || meta->expiry))
		return vmc_fail(ENOTSUP, __func__,
				"the module stores no expiry, flags or CAS");
	return vmc_put(cache, key, key_size, value, value_size, meta->flags,
		       meta, __func__);
}

/*
 * One VMEMCACHE_IOC_GET (with @meta: VMEMCACHE_GET_META); the number of
 * bytes copied or -1 with errno set.
 */
static ssize_t vmc_get_once(VMEMcache *cache, const void *key,
			    size_t key_size, void *vbuf, size_t vbufsize,
			    size_t offset, size_t *vsize,
			    struct vmemcache_meta *meta,
			    struct vmemcache_item_state *st)
{
	struct vmemcache_get get;
	ssize_t n;

	memset(&get, 0, sizeof(get));
	get.key = vmc_uptr(key);
	get.key_len = (__u32)key_size;
	get.buf = vmc_uptr(vbuf);
	/* libvmemcache copies nothing into a NULL buffer, and succeeds. */
	get.buf_len = vbuf && !cache->bench_no_memcpy ? vbufsize : 0;
	get.offset = offset;
	if (meta)
		get.flags = VMEMCACHE_GET_META;
	if (st)
		get.flags |= VMEMCACHE_GET_STATE;
	vmc_count(&cache->n_gets, 1);
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_GET, &get)) {
		if (errno == ENOENT)
			vmc_count(&cache->n_misses, 1);
		return -1;
	}
	if (vsize)
		*vsize = (size_t)get.value_size;
	if (meta)
		*meta = (struct vmemcache_meta){
			.client_flags = get.client_flags,
			.cas = get.cas, .expiry = get.expiry,
		};
	if (st)
		*st = (struct vmemcache_item_state){
			.state = get.state, .last_access = get.last_access,
		};
	n = (ssize_t)get.copied;
	if (vbuf && cache->bench_no_memcpy && offset < get.value_size) {
		/* What the copy would have been (VMEMCACHE_BENCH_NO_MEMCPY). */
		n = (ssize_t)(get.value_size - offset);
		if ((size_t)n > vbufsize)
			n = (ssize_t)vbufsize;
	}
	return n;
}

/* Runs on_miss for a get that missed; the bytes a put from it served. */
static ssize_t vmc_get_on_miss(VMEMcache *cache, const void *key,
			       size_t key_size, void *vbuf, size_t vbufsize,
			       size_t offset, size_t *vsize)
{
	struct vmc_pending pg = {
		.cache = cache, .key = key, .key_size = key_size,
		.vbuf = vbuf, .vbufsize = vbufsize, .offset = offset,
		.vsize = vsize, .prev = vmc_pending_top,
	};

	vmc_pending_top = &pg;
	cache->on_miss(cache, key, key_size, cache->on_miss_arg);
	vmc_pending_top = pg.prev;
	if (!pg.filled) {
		errno = ENOENT;
		return -1;
	}
	return pg.copied;
}

/* A get of the key whose on_evict runs: from the value's copy. */
static ssize_t vmc_get_evicting(VMEMcache *cache, const void *key,
				size_t key_size, void *vbuf, size_t vbufsize,
				size_t offset, size_t *vsize)
{
	const struct vmc_evicting *e = vmc_evicting_find(cache, key, key_size);
	size_t n = 0;

	vmc_count(&cache->n_gets, 1);
	if (vbuf && offset < e->value_size) {
		n = e->value_size - offset;
		if (n > vbufsize)
			n = vbufsize;
		if (!cache->bench_no_memcpy)
			memcpy(vbuf, (const char *)e->value + offset, n);
	}
	if (vsize)
		*vsize = e->value_size;
	return (ssize_t)n;
}

/* A get with on_miss, as vmemcache_get() on behalf of @func. */
static ssize_t vmc_get(VMEMcache *cache, const void *key, size_t key_size,
		       void *vbuf, size_t vbufsize, size_t offset,
		       size_t *vsize, struct vmemcache_meta *meta,
		       struct vmemcache_item_state *st, const char *func)
{
	ssize_t ret;

	if (vmc_check_attached(cache, func) || vmc_check_key(key_size, func))
		return -1;
	if (vmc_evicting_top && vmc_evicting_find(cache, key, key_size))
		return vmc_get_evicting(cache, key, key_size, vbuf, vbufsize,
					offset, vsize);
	ret = -1;
	if (cache->map.table && !meta && !st)
		ret = vmc_map_get(cache, key, key_size, vbuf, vbufsize, offset,
				  vsize);
	if (ret < 0)
		ret = vmc_get_once(cache, key, key_size, vbuf, vbufsize,
				   offset, vsize, meta, st);
	if (ret < 0 && errno == ENOENT && cache->on_miss)
		ret = vmc_get_on_miss(cache, key, key_size, vbuf, vbufsize,
				      offset, vsize);
	if (ret < 0)
		return vmc_fail_kernel(errno, func);
	return ret;
}

VMC_API ssize_t vmemcache_get(VMEMcache *cache, const void *key,
			      size_t key_size, void *vbuf, size_t vbufsize,
			      size_t offset, size_t *vsize)
{
	return vmc_get(cache, key, key_size, vbuf, vbufsize, offset, vsize,
		       NULL, NULL, __func__);
}

VMC_API ssize_t vmemcache_get_ex(VMEMcache *cache, const void *key,
				 size_t key_size, void *vbuf, size_t vbufsize,
				 size_t offset, size_t *vsize,
				 struct vmemcache_meta *meta)
{
	if (vmc_check_attached(cache, __func__))
		return -1;
	if (meta && !(cache->ver.features & VMEMCACHE_FEAT_ITEM_META))
		return vmc_fail(ENOTSUP, __func__,
				"the module stores no expiry, flags or CAS");
	/* What a get that on_miss served tells: nothing. */
	if (meta)
		memset(meta, 0, sizeof(*meta));
	return vmc_get(cache, key, key_size, vbuf, vbufsize, offset, vsize,
		       meta, NULL, __func__);
}

VMC_API ssize_t vmemcache_get_state(VMEMcache *cache, const void *key,
				    size_t key_size, void *vbuf,
				    size_t vbufsize, size_t offset,
				    size_t *vsize, struct vmemcache_meta *meta,
				    struct vmemcache_item_state *st)
{
	if (vmc_check_attached(cache, __func__))
		return -1;
	if (!(cache->ver.features & VMEMCACHE_FEAT_ITEM_STATE))
		return vmc_fail(ENOTSUP, __func__,
				"the module keeps no access state");
	if (!st)
		return vmc_fail(EINVAL, __func__, "st is NULL");
	/* What a get that on_miss served tells: nothing. */
	if (meta)
		memset(meta, 0, sizeof(*meta));
	memset(st, 0, sizeof(*st));
	return vmc_get(cache, key, key_size, vbuf, vbufsize, offset, vsize,
		       meta, st, __func__);
}

VMC_API int vmemcache_touch(VMEMcache *cache, const void *key,
			    size_t key_size, uint32_t expiry)
{
	struct vmemcache_touch t;

	if (vmc_check_attached(cache, __func__) ||
	    vmc_check_key(key_size, __func__))
		return -1;
	if (!(cache->ver.features & VMEMCACHE_FEAT_ITEM_META))
		return vmc_fail(ENOTSUP, __func__,
				"the module stores no expiry");
	memset(&t, 0, sizeof(t));
	t.key = vmc_uptr(key);
	t.key_len = (__u32)key_size;
	t.expiry = expiry;
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_TOUCH, &t))
		return vmc_fail_kernel(errno, __func__);
	return 0;
}

VMC_API int vmemcache_touch_ex(VMEMcache *cache, const void *key,
			       size_t key_size, uint32_t expiry,
			       unsigned int flags)
{
	struct vmemcache_touch t;

	if (vmc_check_attached(cache, __func__) ||
	    vmc_check_key(key_size, __func__))
		return -1;
	if (!(cache->ver.features & VMEMCACHE_FEAT_ITEM_STATE))
		return vmc_fail(ENOTSUP, __func__,
				"the module keeps no access state");
	memset(&t, 0, sizeof(t));
	t.key = vmc_uptr(key);
	t.key_len = (__u32)key_size;
	t.expiry = expiry;
	t.flags = flags;
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_TOUCH, &t))
		return vmc_fail_kernel(errno, __func__);
	return 0;
}

VMC_API ssize_t vmemcache_get_exact(VMEMcache *cache, const void *key,
				    size_t key_size, void *vbuf,
				    size_t vbufsize, size_t *vsize)
{
	ssize_t ret;

	if (!vsize)
		return vmc_fail(EINVAL, __func__, "vsize is NULL");
	ret = vmc_get(cache, key, key_size, vbuf, vbufsize, 0, vsize, NULL, NULL,
		      __func__);
	if (ret >= 0 && *vsize > vbufsize)
		return vmc_fail(ENOSPC, __func__,
				"the value has %zu bytes, the buffer %zu",
				*vsize, vbufsize);
	return ret;
}

VMC_API int vmemcache_exists(VMEMcache *cache, const void *key,
			     size_t key_size, size_t *vsize)
{
	struct vmemcache_exists ex;

	if (vmc_check_attached(cache, __func__) ||
	    vmc_check_key(key_size, __func__))
		return -1;
	if (vmc_evicting_top) {
		const struct vmc_evicting *e;

		e = vmc_evicting_find(cache, key, key_size);
		if (e) {
			if (vsize)
				*vsize = e->value_size;
			return 1;
		}
	}
	memset(&ex, 0, sizeof(ex));
	ex.key = vmc_uptr(key);
	ex.key_len = (__u32)key_size;
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_EXISTS, &ex)) {
		if (errno == ENOENT)
			return 0;
		return vmc_fail_kernel(errno, __func__);
	}
	if (vsize)
		*vsize = (size_t)ex.value_size;
	return 1;
}

VMC_API int vmemcache_exists_ex(VMEMcache *cache, const void *key,
				size_t key_size, size_t *vsize,
				struct vmemcache_meta *meta,
				struct vmemcache_item_state *st)
{
	struct vmemcache_exists ex;

	if (vmc_check_attached(cache, __func__) ||
	    vmc_check_key(key_size, __func__))
		return -1;
	if (meta && !(cache->ver.features & VMEMCACHE_FEAT_ITEM_META))
		return vmc_fail(ENOTSUP, __func__,
				"the module stores no expiry, flags or CAS");
	if (st && !(cache->ver.features & VMEMCACHE_FEAT_ITEM_STATE))
		return vmc_fail(ENOTSUP, __func__,
				"the module keeps no access state");
	memset(&ex, 0, sizeof(ex));
	ex.key = vmc_uptr(key);
	ex.key_len = (__u32)key_size;
	ex.flags = (meta ? VMEMCACHE_GET_META : 0) |
		   (st ? VMEMCACHE_GET_STATE : 0);
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_EXISTS, &ex)) {
		if (errno == ENOENT)
			return 0;
		return vmc_fail_kernel(errno, __func__);
	}
	if (vsize)
		*vsize = (size_t)ex.value_size;
	if (meta)
		*meta = (struct vmemcache_meta){
			.client_flags = ex.client_flags,
			.cas = ex.cas, .expiry = ex.expiry,
		};
	if (st)
		*st = (struct vmemcache_item_state){
			.state = ex.state, .last_access = ex.last_access,
		};
	return 1;
}

static int vmc_evict(VMEMcache *cache, const void *key, size_t ksize,
		     unsigned int flags, const char *func)
{
	struct vmemcache_evicted_log *log, hdr;
	struct vmemcache_evict ev;
	struct vmc_evbuf b;
	int ret, err;

	if (vmc_check_attached(cache, func))
		return -1;
	if (flags & ~VMEMCACHE_EVICT_NO_CALLBACK)
		return vmc_fail(EINVAL, func, "unknown flags %#x", flags);
	memset(&ev, 0, sizeof(ev));
	if (key) {
		if (vmc_check_key(ksize, func))
			return -1;
		ev.key = vmc_uptr(key);
		ev.key_len = (__u32)ksize;
	}
	log = vmc_evlog_begin(cache, 1, !(flags & VMEMCACHE_EVICT_NO_CALLBACK),
			      &b, &hdr);
	if (b.values)
		ev.flags |= VMEMCACHE_EVICT_EVICTED_VALUES;
	ret = vmc_ioctl_evlog(cache, VMEMCACHE_IOC_EVICT, &ev, &ev.evicted,
			      &ev.evicted_size, log, &b);
	err = errno;
	if (!log && !ret) {
		vmc_count(&cache->n_evictions, 1);
		/* A kernel without the log: the named key at least. */
		if (key && !(flags & VMEMCACHE_EVICT_NO_CALLBACK)) {
			if (cache->on_evict)
				cache->on_evict(cache, key, ksize,
						cache->on_evict_arg);
			else if (cache->on_evict_ex)
				cache->on_evict_ex(cache, key, ksize, 0,
						   cache->on_evict_ex_arg);
		}
	}
	if (!ret)
		return 0;
	/* libvmemcache's texts. */
	if (err == ENOENT && key)
		return vmc_fail_as(err,
				   "vmemcache_evict: cannot find an element with the given key");
	if (err == ESRCH && !key)
		return vmc_fail_as(err, "no element to evict");
	return vmc_fail_kernel(err, func);
}

VMC_API int vmemcache_evict(VMEMcache *cache, const void *key, size_t ksize)
{
	return vmc_evict(cache, key, ksize, 0, __func__);
}

VMC_API int vmemcache_evict_flags(VMEMcache *cache, const void *key,
				  size_t ksize, unsigned int flags)
{
	return vmc_evict(cache, key, ksize, flags, __func__);
}

/* What the keys listed by vmemcache_evict_prefix() add up to. */
struct vmc_prefix_walk {
	ssize_t evicted;
	int err;
};

static int vmc_prefix_evict_one(VMEMcache *cache, const void *key,
				size_t key_size, size_t value_size, void *arg)
{
	struct vmc_prefix_walk *w = arg;

	(void)value_size;
	if (!vmc_evict(cache, key, key_size, 0, "vmemcache_evict_prefix")) {
		w->evicted++;
		return 0;
	}
	if (errno == ENOENT)	/* evicted meanwhile by someone else */
		return 0;
	w->err = errno;
	return 1;
}

/* Listings after the first that still found keys to evict: at most. */
#define VMC_PREFIX_PASSES 8

/*
 * A prefix eviction whose entries on_evict must all see: listed, then
 * evicted one by one, each with its own log, which a single ioctl could
 * overflow with enough keys.  A listing need not see every key when keys
 * go meanwhile, so it runs again while it still finds some.
 */
static ssize_t vmc_evict_prefix_each(VMEMcache *cache, const void *prefix,
				     size_t prefix_size)
{
	struct vmc_prefix_walk w = { 0, 0 };
	ssize_t before;
	int pass = 0;

	do {
		before = w.evicted;
		if (vmemcache_list(cache, prefix, prefix_size,
				   vmc_prefix_evict_one, &w) < 0 && !w.err)
			return -1;
		if (w.err)
			return -1;	/* vmc_evict() set the message */
	} while (w.evicted > before && ++pass <= VMC_PREFIX_PASSES);
	return w.evicted;
}

VMC_API ssize_t vmemcache_evict_prefix(VMEMcache *cache, const void *prefix,
				       size_t prefix_size, unsigned int flags)
{
	struct vmemcache_evicted_log hdr;
	struct vmemcache_evict ev;
	ssize_t n;
	int ret, err;

	if (vmc_check_attached(cache, __func__))
		return -1;
	if (!prefix || vmc_check_key(prefix_size, __func__))
		return prefix ? -1 : vmc_fail(EINVAL, __func__, "prefix is NULL");
	if (flags & ~VMEMCACHE_EVICT_NO_CALLBACK)
		return vmc_fail(EINVAL, __func__, "unknown flags %#x", flags);
	if (!(cache->ver.features & VMEMCACHE_FEAT_EVICT_PREFIX))
		return vmc_fail(ENOTSUP, __func__,
				"the kernel module cannot evict by prefix");
	if (!(flags & VMEMCACHE_EVICT_NO_CALLBACK) &&
	    vmc_wants_evicted(cache) &&
	    (cache->ver.features & VMEMCACHE_FEAT_LIST))
		return vmc_evict_prefix_each(cache, prefix, prefix_size);
	/* The header alone counts the evictions. */
	memset(&hdr, 0, sizeof(hdr));
	memset(&ev, 0, sizeof(ev));
	ev.key = vmc_uptr(prefix);
	ev.key_len = (__u32)prefix_size;
	ev.flags = VMEMCACHE_EVICT_PREFIX;
	ev.evicted = vmc_uptr(&hdr);
	ev.evicted_size = sizeof(hdr);
	ret = vmc_ioctl(cache->fd, VMEMCACHE_IOC_EVICT, &ev);
	err = errno;
	n = (ssize_t)(hdr.count + hdr.dropped);
	vmc_count(&cache->n_evictions, (uint64_t)n);
	if (ret && err == ENOENT)
		return 0;
	if (ret)
		return vmc_fail_kernel(err, __func__);
	return n;
}

/* A bufferful of the listing: room for the largest key at least. */
#define VMC_LIST_BUF	(VMEMCACHE_LIST_REC_SIZE(VMEMCACHE_MAX_KEY_SIZE) + \
			 (64 << 10))

VMC_API int vmemcache_list(VMEMcache *cache, const void *prefix,
			   size_t prefix_size, vmemcache_list_cb *cb, void *arg)
{
	struct vmemcache_list_rec rec;
	struct vmemcache_list ls;
	const uint8_t *p;
	uint64_t cursor = 0;
	uint8_t *buf;
	int ret = 0;
	__u32 i;

	if (vmc_check_attached(cache, __func__))
		return -1;
	if (!cb)
		return vmc_fail(EINVAL, __func__, "cb is NULL");
	if (prefix_size > UINT32_MAX || (prefix_size && !prefix))
		return vmc_fail(EINVAL, __func__, "bad prefix");
	if (!(cache->ver.features & VMEMCACHE_FEAT_LIST))
		return vmc_fail(ENOTSUP, __func__,
				"the kernel module cannot list keys");
	buf = malloc(VMC_LIST_BUF);
	if (!buf)
		return vmc_fail(ENOMEM, __func__, NULL);
	do {
		memset(&ls, 0, sizeof(ls));
		ls.prefix = prefix_size ? vmc_uptr(prefix) : 0;
		ls.prefix_len = (__u32)prefix_size;
		ls.buf = vmc_uptr(buf);
		ls.buf_size = VMC_LIST_BUF;
		ls.cursor = cursor;
		if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_LIST, &ls)) {
			ret = vmc_fail_kernel(errno, __func__);
			break;
		}
		cursor = ls.cursor;
		for (i = 0, p = buf; i < ls.count && !ret; i++) {
			memcpy(&rec, p, sizeof(rec));
			ret = cb(cache, p + sizeof(rec), rec.key_len,
				 (size_t)rec.value_size, arg);
			p += VMEMCACHE_LIST_REC_SIZE(rec.key_len);
		}
	} while (cursor && !ret);
	free(buf);
	return ret;
}

/* Whether a batch only reads: gets and exists. */
static int vmc_batch_reads(const struct vmemcache_batch_item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (it[i].op != VMEMCACHE_BATCH_GET &&
		    it[i].op != VMEMCACHE_BATCH_EXISTS)
			return 0;
	return 1;
}

/* Counts a batch's items for the handle. */
static void vmc_batch_count(VMEMcache *cache,
			    const struct vmemcache_batch_item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (it[i].op == VMEMCACHE_BATCH_PUT && !it[i].result)
			vmc_count(&cache->n_puts, 1);
		if (it[i].op != VMEMCACHE_BATCH_GET)
			continue;
		vmc_count(&cache->n_gets, 1);
		if (it[i].result == -ENOENT)
			vmc_count(&cache->n_misses, 1);
	}
}

VMC_API int vmemcache_batch(VMEMcache *cache,
			    struct vmemcache_batch_item *items, size_t n)
{
	struct vmemcache_evicted_log *log, hdr;
	struct vmemcache_batch b;
	struct vmc_evbuf eb;
	size_t done, chunk, i, evictions;
	int ret;

	if (vmc_check_attached(cache, __func__))
		return -1;
	if (!items && n)
		return vmc_fail(EINVAL, __func__, "items is NULL");
	if (!(cache->ver.features & VMEMCACHE_FEAT_BATCH))
		return vmc_fail(ENOTSUP, __func__,
				"the kernel module has no batches");
	for (done = 0; done < n; done += chunk) {
		chunk = n - done;
		if (chunk > VMEMCACHE_BATCH_MAX)
			chunk = VMEMCACHE_BATCH_MAX;
		if (cache->map.table && vmc_batch_reads(items + done, chunk)) {
			if (vmc_map_batch(cache, items + done, chunk))
				return vmc_fail_kernel(errno, __func__);
			continue;
		}
		for (i = evictions = 0; i < chunk; i++) {
			if (items[done + i].op == VMEMCACHE_BATCH_PUT)
				evictions += vmc_put_evictions(cache,
						items[done + i].len);
			else if (items[done + i].op == VMEMCACHE_BATCH_EVICT)
				evictions++;
		}
		log = vmc_evlog_begin(cache, evictions, 1, &eb, &hdr);
		memset(&b, 0, sizeof(b));
		b.items = vmc_uptr(items + done);
		b.count = (__u32)chunk;
		if (eb.values)
			b.flags |= VMEMCACHE_BATCH_EVICTED_VALUES;
		ret = vmc_ioctl_evlog(cache, VMEMCACHE_IOC_BATCH, &b, &b.evicted,
				      &b.evicted_size, log, &eb);
		if (ret)
			return vmc_fail_kernel(errno, __func__);
		vmc_batch_count(cache, items + done, chunk);
	}
	return 0;
}

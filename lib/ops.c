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
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmc_internal.h"

/* Room for the keys of a typical put's evictions, a 64 KiB key at least. */
#define VMC_EVLOG_MIN	(sizeof(struct vmemcache_evicted_log) + \
			 VMEMCACHE_EVICTED_REC_SIZE(VMEMCACHE_MAX_KEY_SIZE) + \
			 4096)
#define VMC_EVLOG_MAX	((size_t)16 << 20)

static int vmc_wants_evicted(const VMEMcache *cache)
{
	return (cache->on_evict || cache->on_evict_ex) &&
	       (cache->ver.features & VMEMCACHE_FEAT_EVICTED_LOG);
}

/*
 * A buffer for the evicted-entries log of a put of @value_size bytes (0 for
 * an evict), or NULL if no callback wants it (or no memory: the put goes
 * on without reports).  A value can evict about one entry per 256 bytes;
 * 48 bytes a record covers keys up to 32 bytes.
 */
static struct vmemcache_evicted_log *vmc_evlog_alloc(const VMEMcache *cache,
						     size_t value_size,
						     size_t *size)
{
	size_t extra = value_size / 256 * 48;

	if (!vmc_wants_evicted(cache))
		return NULL;
	if (extra > VMC_EVLOG_MAX)
		extra = VMC_EVLOG_MAX;
	*size = VMC_EVLOG_MIN + extra;
	return malloc(*size);
}

/* Runs the on_evict callbacks for the records of @log, then frees it. */
static void vmc_evlog_deliver(VMEMcache *cache,
			      struct vmemcache_evicted_log *log, size_t size)
{
	const uint8_t *p = (const uint8_t *)(log + 1);
	const uint8_t *end = (const uint8_t *)log + size;
	struct vmemcache_evicted_rec rec;
	__u32 i;

	if (log->used <= size)
		end = (const uint8_t *)log + log->used;
	for (i = 0; i < log->count; i++) {
		if ((size_t)(end - p) < sizeof(rec))
			break;
		memcpy(&rec, p, sizeof(rec));
		if (VMEMCACHE_EVICTED_REC_SIZE(rec.key_len) > (size_t)(end - p))
			break;
		if (cache->on_evict)
			cache->on_evict(cache, p + sizeof(rec), rec.key_len,
					cache->on_evict_arg);
		else if (cache->on_evict_ex)
			cache->on_evict_ex(cache, p + sizeof(rec), rec.key_len,
					   (size_t)rec.value_size,
					   cache->on_evict_ex_arg);
		p += VMEMCACHE_EVICTED_REC_SIZE(rec.key_len);
	}
	free(log);
}

/* One VMEMCACHE_IOC_PUT on behalf of the public function @func. */
static int vmc_put(VMEMcache *cache, const void *key, size_t key_size,
		   const void *value, size_t value_size, unsigned int flags,
		   const char *func)
{
	struct vmemcache_evicted_log *log;
	struct vmemcache_put put;
	size_t log_size = 0;
	int ret, err;

	if (vmc_check_attached(cache, func) || vmc_check_key(key_size, func))
		return -1;
	memset(&put, 0, sizeof(put));
	put.key = vmc_uptr(key);
	put.key_len = (__u32)key_size;
	put.value = vmc_uptr(value);
	put.value_len = value_size;
	put.flags = flags;
	log = vmc_evlog_alloc(cache, value_size, &log_size);
	if (log) {
		log->count = 0;
		put.evicted = vmc_uptr(log);
		put.evicted_size = log_size;
	}
	ret = vmc_ioctl(cache->fd, VMEMCACHE_IOC_PUT, &put);
	err = errno;
	/* Evictions happen even for a put that fails at last (ENOSPC). */
	if (log)
		vmc_evlog_deliver(cache, log, log_size);
	if (ret)
		return vmc_fail_kernel(err, func);
	return 0;
}

VMC_API int vmemcache_put(VMEMcache *cache, const void *key, size_t key_size,
			  const void *value, size_t value_size)
{
	return vmc_put(cache, key, key_size, value, value_size, 0, __func__);
}

VMC_API int vmemcache_put_flags(VMEMcache *cache, const void *key,
				size_t key_size, const void *value,
				size_t value_size, unsigned int flags)
{
	return vmc_put(cache, key, key_size, value, value_size, flags,
		       __func__);
}

/* One VMEMCACHE_IOC_GET; the number of bytes copied or -1 with errno set. */
static ssize_t vmc_get_once(VMEMcache *cache, const void *key,
			    size_t key_size, void *vbuf, size_t vbufsize,
			    size_t offset, size_t *vsize)
{
	struct vmemcache_get get;

	memset(&get, 0, sizeof(get));
	get.key = vmc_uptr(key);
	get.key_len = (__u32)key_size;
	get.buf = vmc_uptr(vbuf);
	/* libvmemcache copies nothing into a NULL buffer, and succeeds. */
	get.buf_len = vbuf ? vbufsize : 0;
	get.offset = offset;
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_GET, &get))
		return -1;
	if (vsize)
		*vsize = (size_t)get.value_size;
	return (ssize_t)get.copied;
}

/* A get with on_miss, as vmemcache_get() on behalf of @func. */
static ssize_t vmc_get(VMEMcache *cache, const void *key, size_t key_size,
		       void *vbuf, size_t vbufsize, size_t offset,
		       size_t *vsize, const char *func)
{
	ssize_t ret;

	if (vmc_check_attached(cache, func) || vmc_check_key(key_size, func))
		return -1;
	ret = vmc_get_once(cache, key, key_size, vbuf, vbufsize, offset,
			   vsize);
	if (ret < 0 && errno == ENOENT && cache->on_miss) {
		cache->on_miss(cache, key, key_size, cache->on_miss_arg);
		ret = vmc_get_once(cache, key, key_size, vbuf, vbufsize,
				   offset, vsize);
	}
	if (ret < 0)
		return vmc_fail_kernel(errno, func);
	return ret;
}

VMC_API ssize_t vmemcache_get(VMEMcache *cache, const void *key,
			      size_t key_size, void *vbuf, size_t vbufsize,
			      size_t offset, size_t *vsize)
{
	return vmc_get(cache, key, key_size, vbuf, vbufsize, offset, vsize,
		       __func__);
}

VMC_API ssize_t vmemcache_get_exact(VMEMcache *cache, const void *key,
				    size_t key_size, void *vbuf,
				    size_t vbufsize, size_t *vsize)
{
	ssize_t ret;

	if (!vsize)
		return vmc_fail(EINVAL, __func__, "vsize is NULL");
	ret = vmc_get(cache, key, key_size, vbuf, vbufsize, 0, vsize,
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

static int vmc_evict(VMEMcache *cache, const void *key, size_t ksize,
		     unsigned int flags, const char *func)
{
	struct vmemcache_evicted_log *log = NULL;
	struct vmemcache_evict ev;
	size_t log_size = 0;
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
	if (!(flags & VMEMCACHE_EVICT_NO_CALLBACK))
		log = vmc_evlog_alloc(cache, 0, &log_size);
	if (log) {
		log->count = 0;
		ev.evicted = vmc_uptr(log);
		ev.evicted_size = log_size;
	}
	ret = vmc_ioctl(cache->fd, VMEMCACHE_IOC_EVICT, &ev);
	err = errno;
	if (log) {
		vmc_evlog_deliver(cache, log, log_size);
	} else if (!ret && key && !(flags & VMEMCACHE_EVICT_NO_CALLBACK)) {
		/* A kernel without the log: the named key at least. */
		if (cache->on_evict)
			cache->on_evict(cache, key, ksize,
					cache->on_evict_arg);
		else if (cache->on_evict_ex)
			cache->on_evict_ex(cache, key, ksize, 0,
					   cache->on_evict_ex_arg);
	}
	if (ret)
		return vmc_fail_kernel(err, func);
	return 0;
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

/* Room for the keys a prefix eviction reports to on_evict. */
#define VMC_PREFIX_LOG	((size_t)1 << 20)

VMC_API ssize_t vmemcache_evict_prefix(VMEMcache *cache, const void *prefix,
				       size_t prefix_size, unsigned int flags)
{
	struct vmemcache_evicted_log hdr, *log = &hdr;
	struct vmemcache_evict ev;
	size_t log_size = sizeof(hdr);
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
	/* The header alone counts the evictions; records feed on_evict. */
	if (!(flags & VMEMCACHE_EVICT_NO_CALLBACK) &&
	    vmc_wants_evicted(cache)) {
		log = malloc(VMC_PREFIX_LOG);
		if (log)
			log_size = VMC_PREFIX_LOG;
		else
			log = &hdr;
	}
	memset(&ev, 0, sizeof(ev));
	ev.key = vmc_uptr(prefix);
	ev.key_len = (__u32)prefix_size;
	ev.flags = VMEMCACHE_EVICT_PREFIX;
	ev.evicted = vmc_uptr(log);
	ev.evicted_size = log_size;
	memset(log, 0, sizeof(*log));
	ret = vmc_ioctl(cache->fd, VMEMCACHE_IOC_EVICT, &ev);
	err = errno;
	n = (ssize_t)(log->count + log->dropped);
	if (log != &hdr)
		vmc_evlog_deliver(cache, log, log_size);
	if (ret && err == ENOENT)
		return 0;
	if (ret)
		return vmc_fail_kernel(err, __func__);
	return n;
}

/* A bufferful of the listing: room for the largest key at least. */
#define VMC_LIST_BUF	(VMEMCACHE_EVICTED_REC_SIZE(VMEMCACHE_MAX_KEY_SIZE) + \
			 (64 << 10))

VMC_API int vmemcache_list(VMEMcache *cache, const void *prefix,
			   size_t prefix_size, vmemcache_list_cb *cb, void *arg)
{
	struct vmemcache_evicted_rec rec;
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
			p += VMEMCACHE_EVICTED_REC_SIZE(rec.key_len);
		}
	} while (cursor && !ret);
	free(buf);
	return ret;
}

VMC_API int vmemcache_batch(VMEMcache *cache,
			    struct vmemcache_batch_item *items, size_t n)
{
	struct vmemcache_evicted_log *log;
	struct vmemcache_batch b;
	size_t done, chunk, log_size = 0, i, bytes;
	int ret, err;

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
		for (i = bytes = 0; i < chunk; i++)
			if (items[done + i].op == VMEMCACHE_BATCH_PUT)
				bytes += items[done + i].len;
		log = vmc_evlog_alloc(cache, bytes + chunk * 256, &log_size);
		memset(&b, 0, sizeof(b));
		b.items = vmc_uptr(items + done);
		b.count = (__u32)chunk;
		if (log) {
			log->count = 0;
			b.evicted = vmc_uptr(log);
			b.evicted_size = log_size;
		}
		ret = vmc_ioctl(cache->fd, VMEMCACHE_IOC_BATCH, &b);
		err = errno;
		if (log)
			vmc_evlog_deliver(cache, log, log_size);
		if (ret)
			return vmc_fail_kernel(err, __func__);
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * backend_kdev.c -- vmcd_backend_kdev(): entries in a vmemcache cache
 * through libvmemcache-kdev.  Each entry's value is a struct kdev_hdr
 * (little-endian on disk is not a concern: the cache lives in this
 * machine's memory) followed by the client's bytes; an entry that is too
 * short or lacks the magic was not written by vmemcached and reads as a
 * miss.  Stores replace atomically (VMEMCACHE_PUT_REPLACE).
 *
 * The header stays the authority on flags, expiry and CAS: the protocol
 * layer's CAS sequence also orders flush_all.  A module with
 * VMEMCACHE_FEAT_ITEM_META is also given the client flags and the expiry,
 * on its CLOCK_BOOTTIME clock and a second late, so that it never drops
 * an entry before the protocol layer would call it expired, and then
 * reclaims expired entries itself instead of leaving them to eviction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvmemcache.h>

#include "backend.h"

#define KDEV_MAGIC 0x64636d76u	/* "vmcd" */

struct kdev_hdr {
	uint32_t magic;
	uint32_t flags;
	int64_t exptime;
	uint64_t cas;
};

struct kdev_backend {
	struct vmcd_backend b;
	VMEMcache *cache;
	size_t max_value;
	pthread_key_t buf_key;	/* per-thread buffer for header + value */
	int item_meta;		/* the module has VMEMCACHE_FEAT_ITEM_META */
};

/*
 * The CLOCK_BOOTTIME second at or after Unix second @exptime, plus one
 * to cover the two clocks' rounding; 0 (never) for 0 or past 2^32.
 */
static uint32_t kdev_boot_expiry(int64_t exptime)
{
	struct timespec rt, bt;
	int64_t boot;

	if (!exptime)
		return 0;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	boot = exptime - (int64_t)rt.tv_sec + (int64_t)bt.tv_sec + 2;
	if (boot < 1)
		return 1;	/* long expired: at once */
	return boot > (int64_t)UINT32_MAX ? 0 : (uint32_t)boot;
}

static struct kdev_backend *to_kdev(struct vmcd_backend *b)
{
	return (struct kdev_backend *)b;
}

static int kdev_get(struct vmcd_backend *b, const char *key, size_t klen,
		    struct vmcd_meta *m, void *buf, size_t cap, size_t *vlen)
{
	struct kdev_backend *kb = to_kdev(b);
	struct kdev_hdr h;
	size_t vsize = 0;
	ssize_t n;

	n = vmemcache_get_exact(kb->cache, key, klen, buf, cap, &vsize);
	if (n < 0) {
		if (errno == ENOSPC && vsize >= sizeof(h)) {
			*vlen = vsize - sizeof(h);
			return -ENOSPC;
		}
		return -errno;
	}
	if ((size_t)n < sizeof(h))
		return -ENOENT;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != KDEV_MAGIC)
		return -ENOENT;
	m->flags = h.flags;
	m->exptime = h.exptime;
	m->cas = h.cas;
	*vlen = n - sizeof(h);
	memmove(buf, (char *)buf + sizeof(h), *vlen);
	return 0;
}

static char *kdev_thread_buf(struct kdev_backend *kb)
{
	char *p = pthread_getspecific(kb->buf_key);

	if (!p) {
		p = malloc(sizeof(struct kdev_hdr) + kb->max_value);
		if (p && pthread_setspecific(kb->buf_key, p)) {
			free(p);
			p = NULL;
		}
	}
	return p;
}

static int kdev_store(struct vmcd_backend *b, const char *key, size_t klen,
		      const struct vmcd_meta *m, const void *v, size_t vlen)
{
	struct kdev_backend *kb = to_kdev(b);
	struct kdev_hdr h = {
		.magic = KDEV_MAGIC, .flags = m->flags,
		.exptime = m->exptime, .cas = m->cas,
	};
	char *p;

	if (vlen > kb->max_value)
		return -E2BIG;
	p = kdev_thread_buf(kb);
	if (!p)
		return -ENOMEM;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), v, vlen);
	if (kb->item_meta) {
		struct vmemcache_meta km = {
			.flags = VMEMCACHE_PUT_REPLACE,
			.client_flags = m->flags,
			.expiry = kdev_boot_expiry(m->exptime),
		};

		if (vmemcache_put_ex(kb->cache, key, klen, p, sizeof(h) + vlen,
				     &km))
			return -errno;
		return 0;
	}
	if (vmemcache_put_flags(kb->cache, key, klen, p, sizeof(h) + vlen,
				VMEMCACHE_PUT_REPLACE))
		return -errno;
	return 0;
}

static int kdev_del(struct vmcd_backend *b, const char *key, size_t klen)
{
	if (vmemcache_evict_flags(to_kdev(b)->cache, key, klen,
				  VMEMCACHE_EVICT_NO_CALLBACK))
		return -errno;
	return 0;
}

static int kdev_touch(struct vmcd_backend *b, const char *key, size_t klen,
		      int64_t exptime, void *buf, size_t cap)
{
	struct vmcd_meta m;
	size_t vlen;
	int ret;

	ret = kdev_get(b, key, klen, &m, buf, cap, &vlen);
	if (ret)
		return ret;
	m.exptime = exptime;
	return kdev_store(b, key, klen, &m, buf, vlen);
}

static void kdev_stats(struct vmcd_backend *b, struct vmcd_bstats *st)
{
	struct vmemcache_stats s;

	memset(st, 0, sizeof(*st));
	if (vmemcache_get_stats(to_kdev(b)->cache, &s))
		return;
	st->items = s.entries;
	st->bytes = s.pool_used;
	st->limit = s.pool_size;
	st->evictions = s.evictions;
}

static void kdev_destroy(struct vmcd_backend *b)
{
	struct kdev_backend *kb = to_kdev(b);

	free(pthread_getspecific(kb->buf_key));
	pthread_key_delete(kb->buf_key);
	vmemcache_delete(kb->cache);
	free(kb);
}

static const struct vmcd_backend_ops kdev_ops = {
	.get = kdev_get,
	.store = kdev_store,
	.del = kdev_del,
	.touch = kdev_touch,
	.stats = kdev_stats,
	.destroy = kdev_destroy,
};

struct vmcd_backend *vmcd_backend_kdev(const char *path, size_t size,
				       size_t max_value, char *err,
				       size_t errlen)
{
	struct kdev_backend *kb = calloc(1, sizeof(*kb));
	struct vmemcache_version ver;
	int e;

	if (!kb) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	kb->b.ops = &kdev_ops;
	kb->b.hdr_room = sizeof(struct kdev_hdr);
	kb->max_value = max_value;
	kb->cache = vmemcache_new();
	if (!kb->cache ||
	    (size && vmemcache_set_size(kb->cache, size)) ||
	    vmemcache_add(kb->cache, path)) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, vmemcache_errormsg());
		if (kb->cache)
			vmemcache_delete(kb->cache);
		free(kb);
		errno = e;
		return NULL;
	}
	if (!vmemcache_get_version(kb->cache, &ver))
		kb->item_meta = !!(ver.features & VMEMCACHE_FEAT_ITEM_META);
	if (pthread_key_create(&kb->buf_key, free)) {
		snprintf(err, errlen, "pthread_key_create failed");
		vmemcache_delete(kb->cache);
		free(kb);
		errno = ENOMEM;
		return NULL;
	}
	return &kb->b;
}

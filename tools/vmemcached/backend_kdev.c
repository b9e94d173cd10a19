// SPDX-License-Identifier: GPL-2.0
/*
 * backend_kdev.c -- vmcd_backend_kdev(): entries in a vmemcache cache
 * through libvmemcache-kdev, with the kernel's item metadata
 * (VMEMCACHE_FEAT_ITEM_META) as the authority: the client flags, the
 * expiry and the CAS are the entry's own fields, conditional stores are
 * the kernel's VMEMCACHE_PUT_CAS / VMEMCACHE_PUT_PRESENT / put-if-absent,
 * and the value is the client's bytes, so that programs reading the cache
 * through the library see what memcached clients stored.
 *
 * The kernel stores no empty value: a value of NUL bytes only (the empty
 * one included) is stored with one NUL more and read back with one less.
 *
 * Expiry: the kernel's clock is CLOCK_BOOTTIME in whole seconds, the
 * protocol layer's Unix seconds; an expiry converts with the difference
 * of the two clocks' seconds read together, so that an entry set to live
 * N seconds expires when the boot clock has ticked N times, as memcached's
 * own once-a-second clock does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvmemcache.h>

#include "backend.h"

/* A key memcached clients cannot send (control bytes): flush watermark. */
static const char kdev_mark_key[] = "\001vmemcached\001version";

struct kdev_backend {
	struct vmcd_backend b;
	VMEMcache *cache;
	size_t max_value;
};

static struct kdev_backend *to_kdev(struct vmcd_backend *b)
{
	return (struct kdev_backend *)b;
}

/* Unix seconds minus CLOCK_BOOTTIME seconds, now. */
static int64_t kdev_clock_offset(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (int64_t)rt.tv_sec - (int64_t)bt.tv_sec;
}

/* Unix @exptime as the kernel's expiry: 0 never; past 2^32: never. */
static uint32_t kdev_to_boot(int64_t exptime)
{
	int64_t boot;

	if (!exptime)
		return 0;
	boot = exptime - kdev_clock_offset();
	if (boot < 1)
		return 1;	/* long past: a miss at once */
	return boot > (int64_t)UINT32_MAX ? 0 : (uint32_t)boot;
}

static int64_t kdev_to_unix(uint32_t expiry)
{
	return expiry ? (int64_t)expiry + kdev_clock_offset() : 0;
}

static bool all_nul(const char *p, size_t n)
{
	return !n || (!p[0] && !p[n - 1] && !memcmp(p, p + 1, n - 1));
}

static int kdev_get(struct vmcd_backend *b, const char *key, size_t klen,
		    struct vmcd_meta *m, void *buf, size_t cap, size_t *vlen)
{
	struct kdev_backend *kb = to_kdev(b);
	struct vmemcache_item_state st = { 0 };
	struct vmemcache_meta km;
	size_t vsize = 0;
	ssize_t n;

	if (b->item_state)
		n = vmemcache_get_state(kb->cache, key, klen, buf, cap, 0,
					&vsize, &km, &st);
	else
		n = vmemcache_get_ex(kb->cache, key, klen, buf, cap, 0, &vsize,
				     &km);
	if (n < 0)
		return -errno;
	m->flags = km.client_flags;
	m->exptime = kdev_to_unix(km.expiry);
	m->cas = km.cas;
	m->fetched = st.state & VMEMCACHE_STATE_FETCHED;
	m->stale = st.state & VMEMCACHE_STATE_STALE;
	m->won = st.state & VMEMCACHE_STATE_WON;
	m->atime = kdev_to_unix(st.last_access);
	if (vsize > cap) {
		*vlen = vsize;
		return -ENOSPC;
	}
	*vlen = vsize;
	if (all_nul(buf, vsize))
		*vlen = vsize - 1;
	return 0;
}

/* The put, with one NUL more for an all-NUL value (see the top). */
static int kdev_put(struct kdev_backend *kb, const char *key, size_t klen,
		    const void *v, size_t vlen, const struct vmemcache_meta *km)
{
	static const char zeros[64];
	char *p = NULL;
	int ret;

	if (all_nul(v, vlen)) {
		if (vlen < sizeof(zeros)) {
			v = zeros;
		} else {
			p = calloc(1, vlen + 1);
			if (!p)
				return -ENOMEM;
			v = p;
		}
		vlen++;
	}
	ret = vmemcache_put_ex(kb->cache, key, klen, v, vlen, km) ? -errno : 0;
	free(p);
	return ret;
}

/* The CAS of the live entry of @key, or 0; not a use of it (a fetch). */
static uint64_t kdev_cas_of(struct kdev_backend *kb, const char *key,
			    size_t klen)
{
	struct vmemcache_meta km;

	if (vmemcache_exists_ex(kb->cache, key, klen, NULL, &km, NULL) != 1)
		return 0;
	return km.cas;
}

static int kdev_store(struct vmcd_backend *b, const char *key, size_t klen,
		      enum vmcd_store_mode mode, const struct vmcd_meta *m,
		      const void *v, size_t vlen, uint64_t *cas)
{
	static const unsigned int put_flags[] = {
		[VMCD_ST_SET] = VMEMCACHE_PUT_REPLACE,
		[VMCD_ST_ADD] = 0,
		[VMCD_ST_PRESENT] = VMEMCACHE_PUT_PRESENT,
		[VMCD_ST_CAS] = VMEMCACHE_PUT_CAS,
	};
	struct kdev_backend *kb = to_kdev(b);
	struct vmemcache_meta km = {
		.flags = put_flags[mode],
		.client_flags = m->flags,
		.cas = mode == VMCD_ST_CAS ? m->cas : 0,
		.expiry = kdev_to_boot(m->exptime),
	};
	int ret;

	if (vlen > kb->max_value)
		return -E2BIG;
	ret = kdev_put(kb, key, klen, v, vlen, &km);
	/*
	 * The put does not return the version it gave: read it back (a
	 * store racing in between makes it a later version, on which a cas
	 * fails safely with EXISTS).
	 */
	if (!ret && cas)
		*cas = kdev_cas_of(kb, key, klen);
	return ret;
}

/* The evict takes an expired entry too: an expired key is not found. */
static int kdev_del(struct vmcd_backend *b, const char *key, size_t klen)
{
	if (!kdev_cas_of(to_kdev(b), key, klen))
		return -ENOENT;
	if (vmemcache_evict_flags(to_kdev(b)->cache, key, klen,
				  VMEMCACHE_EVICT_NO_CALLBACK))
		return -errno;
	return 0;
}

/*
 * A delete only over version @cas: a CAS put of an entry expired at
 * once, which the kernel treats as absent and reclaims.
 */
static int kdev_del_cas(struct vmcd_backend *b, const char *key, size_t klen,
			uint64_t cas)
{
	struct vmemcache_meta km = {
		.flags = VMEMCACHE_PUT_CAS, .cas = cas, .expiry = 1,
	};

	return kdev_put(to_kdev(b), key, klen, "x", 1, &km);
}

static int kdev_touch(struct vmcd_backend *b, const char *key, size_t klen,
		      int64_t exptime)
{
	if (vmemcache_touch(to_kdev(b)->cache, key, klen,
			    kdev_to_boot(exptime)))
		return -errno;
	return 0;
}

static int kdev_mark(struct vmcd_backend *b, const char *key, size_t klen,
		     unsigned int how, int64_t exptime)
{
	unsigned int flags = 0;

	if (how & VMCD_MARK_STALE)
		flags |= VMEMCACHE_TOUCH_STALE;
	if (how & VMCD_MARK_WIN)
		flags |= VMEMCACHE_TOUCH_WIN;
	if (how & VMCD_MARK_KEEP_TTL)
		flags |= VMEMCACHE_TOUCH_KEEP_EXPIRY;
	if (vmemcache_touch_ex(to_kdev(b)->cache, key, klen,
			       how & VMCD_MARK_KEEP_TTL ? 0 :
			       kdev_to_boot(exptime), flags))
		return -errno;
	return 0;
}

/* Store the mark key: its version is the newest the cache gave. */
static int kdev_version(struct vmcd_backend *b, uint64_t *v)
{
	struct kdev_backend *kb = to_kdev(b);
	size_t klen = sizeof(kdev_mark_key) - 1;
	struct vmemcache_meta km = { .flags = VMEMCACHE_PUT_REPLACE };

	if (vmemcache_put_ex(kb->cache, kdev_mark_key, klen, "x", 1, &km))
		return -errno;
	*v = kdev_cas_of(kb, kdev_mark_key, klen);
	vmemcache_evict_flags(kb->cache, kdev_mark_key, klen,
			      VMEMCACHE_EVICT_NO_CALLBACK);
	return *v ? 0 : -EAGAIN;	/* evicted by another meanwhile */
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

	vmemcache_delete(kb->cache);
	free(kb);
}

static const struct vmcd_backend_ops kdev_ops = {
	.get = kdev_get,
	.store = kdev_store,
	.del = kdev_del,
	.del_cas = kdev_del_cas,
	.touch = kdev_touch,
	.mark = kdev_mark,
	.version = kdev_version,
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
	kb->b.expires = true;
	kb->max_value = max_value;
	kb->cache = vmemcache_new();
	if (!kb->cache ||
	    (size && vmemcache_set_size(kb->cache, size)) ||
	    vmemcache_add(kb->cache, path)) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, vmemcache_errormsg());
		goto fail;
	}
	if (vmemcache_get_version(kb->cache, &ver) ||
	    !(ver.features & VMEMCACHE_FEAT_ITEM_META)) {
		e = ENOTSUP;
		snprintf(err, errlen,
			 "%s: the vmemcache module lacks item metadata (expiry, flags, CAS: VMEMCACHE_FEAT_ITEM_META); load a newer module",
			 path);
		goto fail;
	}
	kb->b.item_state = ver.features & VMEMCACHE_FEAT_ITEM_STATE;
	return &kb->b;
fail:
	if (kb->cache)
		vmemcache_delete(kb->cache);
	free(kb);
	errno = e;
	return NULL;
}

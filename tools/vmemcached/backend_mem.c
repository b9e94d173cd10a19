// SPDX-License-Identifier: GPL-2.0
/*
 * backend_mem.c -- vmcd_backend_mem(): entries in a chained hash table on
 * the heap under one mutex.  The host tests and the fuzzer use it; so does
 * `vmemcached --backend=mem` on a machine without the module.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"

#define MEM_BUCKETS 4096

struct mem_ent {
	struct mem_ent *next;
	struct vmcd_meta m;
	size_t klen, vlen;
	char data[];		/* key, then value */
};

struct mem_backend {
	struct vmcd_backend b;
	pthread_mutex_t lock;
	size_t limit, bytes, items;
	uint64_t cas;			/* last CAS given, under @lock */
	struct mem_ent *tab[MEM_BUCKETS];
};

static struct mem_backend *to_mem(struct vmcd_backend *b)
{
	return (struct mem_backend *)b;
}

static unsigned int mem_hash(const char *k, size_t n)
{
	unsigned int h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*k++) * 16777619u;
	return h % MEM_BUCKETS;
}

static struct mem_ent **mem_find(struct mem_backend *mb, const char *k,
				 size_t n)
{
	struct mem_ent **pp = &mb->tab[mem_hash(k, n)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->klen == n && !memcmp((*pp)->data, k, n))
			break;
	return pp;
}

static void mem_unlink(struct mem_backend *mb, struct mem_ent **pp)
{
	struct mem_ent *e = *pp;

	*pp = e->next;
	mb->bytes -= e->klen + e->vlen;
	mb->items--;
	free(e);
}

static int64_t mem_now(struct mem_backend *mb)
{
	return mb->b.now ? mb->b.now() : (int64_t)time(NULL);
}

static int mem_get(struct vmcd_backend *b, const char *key, size_t klen,
		   struct vmcd_meta *m, void *buf, size_t cap, size_t *vlen)
{
	struct mem_backend *mb = to_mem(b);
	struct mem_ent *e;
	int ret = 0;

	pthread_mutex_lock(&mb->lock);
	e = *mem_find(mb, key, klen);
	if (!e) {
		ret = -ENOENT;
	} else {
		*vlen = e->vlen;
		*m = e->m;
		e->m.fetched = true;
		e->m.atime = mem_now(mb);
		if (e->vlen > cap)
			ret = -ENOSPC;
		else
			memcpy(buf, e->data + klen, e->vlen);
	}
	pthread_mutex_unlock(&mb->lock);
	return ret;
}

/* 0 if @mode allows a store over @old (the entry, or NULL), or why not. */
static int mem_may_store(struct mem_ent *old, enum vmcd_store_mode mode,
			 uint64_t cas)
{
	switch (mode) {
	case VMCD_ST_SET:
		return 0;
	case VMCD_ST_ADD:
		return old ? -EEXIST : 0;
	case VMCD_ST_PRESENT:
		return old ? 0 : -ENOENT;
	case VMCD_ST_CAS:
		if (!old)
			return -ENOENT;
		return old->m.cas == cas ? 0 : -EEXIST;
	}
	return -EINVAL;
}

static int mem_store(struct vmcd_backend *b, const char *key, size_t klen,
		     enum vmcd_store_mode mode, const struct vmcd_meta *m,
		     const void *v, size_t vlen, uint64_t *cas)
{
	struct mem_backend *mb = to_mem(b);
	struct mem_ent **pp, *e;
	size_t old;
	int ret;

	e = malloc(sizeof(*e) + klen + vlen);
	if (!e)
		return -ENOMEM;
	e->m = *m;
	e->m.fetched = false;
	e->m.stale = false;
	e->m.won = false;
	e->m.atime = mem_now(mb);
	e->klen = klen;
	e->vlen = vlen;
	memcpy(e->data, key, klen);
	memcpy(e->data + klen, v, vlen);
	pthread_mutex_lock(&mb->lock);
	pp = mem_find(mb, key, klen);
	ret = mem_may_store(*pp, mode, m->cas);
	old = *pp ? (*pp)->klen + (*pp)->vlen : 0;
	if (!ret && mb->limit && mb->bytes - old + klen + vlen > mb->limit)
		ret = -ENOSPC;
	if (ret) {
		pthread_mutex_unlock(&mb->lock);
		free(e);
		return ret;
	}
	if (*pp)
		mem_unlink(mb, pp);
	e->m.cas = ++mb->cas;
	if (cas)
		*cas = e->m.cas;
	e->next = *pp;
	*pp = e;
	mb->bytes += klen + vlen;
	mb->items++;
	pthread_mutex_unlock(&mb->lock);
	return 0;
}

static int mem_del_cas(struct vmcd_backend *b, const char *key, size_t klen,
		       bool any, uint64_t cas)
{
	struct mem_backend *mb = to_mem(b);
	struct mem_ent **pp;
	int ret = -ENOENT;

	pthread_mutex_lock(&mb->lock);
	pp = mem_find(mb, key, klen);
	if (*pp && !any && (*pp)->m.cas != cas) {
		ret = -EEXIST;
	} else if (*pp) {
		mem_unlink(mb, pp);
		ret = 0;
	}
	pthread_mutex_unlock(&mb->lock);
	return ret;
}

static int mem_del(struct vmcd_backend *b, const char *key, size_t klen)
{
	return mem_del_cas(b, key, klen, true, 0);
}

static int mem_del_if(struct vmcd_backend *b, const char *key, size_t klen,
		      uint64_t cas)
{
	return mem_del_cas(b, key, klen, false, cas);
}

static int mem_touch(struct vmcd_backend *b, const char *key, size_t klen,
		     int64_t exptime)
{
	struct mem_backend *mb = to_mem(b);
	struct mem_ent *e;
	int ret = -ENOENT;

	pthread_mutex_lock(&mb->lock);
	e = *mem_find(mb, key, klen);
	if (e) {
		e->m.exptime = exptime;
		ret = 0;
	}
	pthread_mutex_unlock(&mb->lock);
	return ret;
}

static int mem_mark(struct vmcd_backend *b, const char *key, size_t klen,
		    unsigned int how, int64_t exptime)
{
	struct mem_backend *mb = to_mem(b);
	struct mem_ent *e;
	int ret = -ENOENT;

	pthread_mutex_lock(&mb->lock);
	e = *mem_find(mb, key, klen);
	if (e && (how & VMCD_MARK_WIN) && e->m.won) {
		ret = -EALREADY;
	} else if (e) {
		if (how & VMCD_MARK_WIN)
			e->m.won = true;
		if (how & VMCD_MARK_STALE) {
			e->m.stale = true;
			e->m.won = false;
		}
		if (!(how & VMCD_MARK_KEEP_TTL))
			e->m.exptime = exptime;
		ret = 0;
	}
	pthread_mutex_unlock(&mb->lock);
	return ret;
}

static int mem_version(struct vmcd_backend *b, uint64_t *v)
{
	struct mem_backend *mb = to_mem(b);

	pthread_mutex_lock(&mb->lock);
	*v = mb->cas;
	pthread_mutex_unlock(&mb->lock);
	return 0;
}

static void mem_stats(struct vmcd_backend *b, struct vmcd_bstats *st)
{
	struct mem_backend *mb = to_mem(b);

	pthread_mutex_lock(&mb->lock);
	st->items = mb->items;
	st->bytes = mb->bytes;
	st->limit = mb->limit;
	st->evictions = 0;
	pthread_mutex_unlock(&mb->lock);
}

static void mem_destroy(struct vmcd_backend *b)
{
	struct mem_backend *mb = to_mem(b);
	size_t i;

	for (i = 0; i < MEM_BUCKETS; i++)
		while (mb->tab[i])
			mem_unlink(mb, &mb->tab[i]);
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}

static const struct vmcd_backend_ops mem_ops = {
	.get = mem_get,
	.store = mem_store,
	.del = mem_del,
	.del_cas = mem_del_if,
	.touch = mem_touch,
	.mark = mem_mark,
	.version = mem_version,
	.stats = mem_stats,
	.destroy = mem_destroy,
};

struct vmcd_backend *vmcd_backend_mem(size_t limit)
{
	struct mem_backend *mb = calloc(1, sizeof(*mb));

	if (!mb)
		return NULL;
	mb->b.ops = &mem_ops;
	mb->b.item_state = true;
	mb->limit = limit;
	pthread_mutex_init(&mb->lock, NULL);
	return &mb->b;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * map.c -- gets without a system call: a private DRAM cache created with
 * VMEMCACHE_CREATE_MAPPED is mapped at vmemcache_add(), and a get looks
 * its key up in the kernel's table and copies the value out of the mapped
 * pool.  Anything the table cannot answer for certain (a miss, a key it
 * does not hold, a slot changing under the copy) goes to the ioctl, which
 * also counts the misses and runs on_miss.  The protocol is the kernel's,
 * described with struct vmemcache_map_info in <linux/vmemcache.h>.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmc_internal.h"

/* Whether to map (VMEMCACHE_NO_MAP=1 turns it off, for comparisons). */
int vmc_map_wanted(const struct vmemcache_version *ver)
{
	const char *no = getenv("VMEMCACHE_NO_MAP");

	return (ver->features & VMEMCACHE_FEAT_MAPPED_GET) &&
	       !(no && *no && strcmp(no, "0"));
}

static void *vmc_map_one(int fd, __u64 size, __u64 off, int prot)
{
	void *p = mmap(NULL, (size_t)size, prot, MAP_SHARED, fd, (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

void vmc_map_detach(VMEMcache *cache)
{
	struct vmc_map *m = &cache->map;

	if (m->table)
		munmap((void *)m->table, (size_t)m->info.table_size);
	if (m->state)
		munmap(m->state, (size_t)m->info.state_size);
	if (m->pool)
		munmap((void *)m->pool, (size_t)m->info.pool_size);
	memset(m, 0, sizeof(*m));
}

/*
 * Map the private cache @cache->fd made with VMEMCACHE_CREATE_MAPPED.  A
 * failure leaves the handle unmapped, served by the ioctl alone.
 */
void vmc_map_attach(VMEMcache *cache)
{
	struct vmc_map *m = &cache->map;
	int err = errno;

	memset(m, 0, sizeof(*m));
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_MAP_INFO, &m->info) ||
	    m->info.slot_size != sizeof(struct vmemcache_map_slot) ||
	    !m->info.nr_slots || (m->info.nr_slots & (m->info.nr_slots - 1)))
		goto out;
	m->table = vmc_map_one(cache->fd, m->info.table_size,
			       VMEMCACHE_MAP_OFF_TABLE, PROT_READ);
	m->state = vmc_map_one(cache->fd, m->info.state_size,
			       VMEMCACHE_MAP_OFF_STATE,
			       PROT_READ | PROT_WRITE);
	m->pool = vmc_map_one(cache->fd, m->info.pool_size,
			      VMEMCACHE_MAP_OFF_POOL, PROT_READ);
	if (!m->table || !m->state || !m->pool)
		vmc_map_detach(cache);
out:
	errno = err;
}

/*
 * A read of the mapping: the bytes copied (as vmemcache_get()), or -1 when
 * the kernel must answer.  The caller counts the hit.
 */
static ssize_t vmc_map_read(VMEMcache *cache, const void *key,
			    size_t key_size, void *vbuf, size_t vbufsize,
			    size_t offset, size_t *vsize)
{
	const struct vmc_map *m = &cache->map;
	const struct vmemcache_map_slot *s;
	__u64 off, size, i;
	size_t n = 0;
	__u32 seq;
	int way;

	if (key_size > VMEMCACHE_MAP_KEY_MAX)
		return -1;
	i = vmemcache_map_hash(m->info.seed, key, (__u32)key_size) &
	    (m->info.nr_slots - 1);
	/* The key's home slot, then the other slot of its pair. */
	for (way = 0; way < 2; way++, i ^= 1) {
		s = &m->table[i];
		seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (!(seq & 1) &&
		    __atomic_load_n(&s->key_len, __ATOMIC_RELAXED) == key_size &&
		    !memcmp(s->key, key, key_size))
			break;
	}
	if (way == 2)
		return -1;
	off = __atomic_load_n(&s->offset, __ATOMIC_RELAXED);
	size = __atomic_load_n(&s->size, __ATOMIC_RELAXED);
	/* Torn fields are caught by the count, but must not fault first. */
	if (off > m->info.pool_size || size > m->info.pool_size - off)
		return -1;
	if (vbuf && offset < size) {
		n = (size_t)(size - offset) < vbufsize ?
		    (size_t)(size - offset) : vbufsize;
		if (!cache->bench_no_memcpy)
			memcpy(vbuf, m->pool + off + offset, n);
	}
	/* The copy before the second look at the count. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq)
		return -1;
	/* Tell the policy, without dirtying the line when it knows. */
	if (!__atomic_load_n(&m->state->accessed[i], __ATOMIC_RELAXED))
		__atomic_store_n(&m->state->accessed[i], 1, __ATOMIC_RELAXED);
	if (vsize)
		*vsize = (size_t)size;
	return (ssize_t)n;
}

/* @n hits from the mapping, for the kernel's statistics and the handle's. */
static void vmc_map_count(VMEMcache *cache, uint64_t n)
{
	__atomic_fetch_add(&cache->map.state->hits, n, __ATOMIC_RELAXED);
	vmc_count(&cache->n_gets, n);
}

/*
 * A get from the mapping: the bytes copied (as vmemcache_get()), or -1
 * when the kernel must answer.
 */
ssize_t vmc_map_get(VMEMcache *cache, const void *key, size_t key_size,
		    void *vbuf, size_t vbufsize, size_t offset, size_t *vsize)
{
	ssize_t got = vmc_map_read(cache, key, key_size, vbuf, vbufsize,
				   offset, vsize);

	if (got >= 0)
		vmc_map_count(cache, 1);
	return got;
}

/* May item @it be served from the mapping, or must the kernel judge it? */
static int vmc_map_item_ok(const struct vmemcache_batch_item *it)
{
	return it->op == VMEMCACHE_BATCH_GET && !it->flags && !it->pad &&
	       it->key && it->key_len && (it->buf || !it->len);
}

/* Items a batch of reads gathers for the kernel at a time, on the stack. */
#define VMC_MAP_REST	64

/*
 * A chunk of a batch that only reads (gets and exists): the gets the
 * mapping can answer are answered here, the rest go to the kernel in one
 * VMEMCACHE_IOC_BATCH per VMC_MAP_REST items.  Reads commute, so the
 * kernel's items running after the mapped ones changes nothing they see.
 * The hits are counted once per chunk: two atomic additions an item were
 * a measurable part of a batch of small gets, on cache lines every reader
 * of the cache shares.  0, or -1 with errno set when the kernel failed
 * the call.
 */
int vmc_map_batch(VMEMcache *cache, struct vmemcache_batch_item *items,
		  size_t n)
{
	struct vmemcache_batch_item rest[VMC_MAP_REST];
	size_t idx[VMC_MAP_REST], i = 0, nr, j, hits;
	struct vmemcache_batch b;
	ssize_t got;

	while (i < n) {
		for (nr = hits = 0; i < n && nr < VMC_MAP_REST; i++) {
			struct vmemcache_batch_item *it = &items[i];
			size_t size;

			if (vmc_map_item_ok(it)) {
				got = vmc_map_read(cache,
						   (const void *)(uintptr_t)it->key,
						   it->key_len,
						   (void *)(uintptr_t)it->buf,
						   (size_t)it->len, 0, &size);
				if (got >= 0) {
					hits++;
					it->result = 0;
					it->value_size = size;
					it->copied = (__u64)got;
					continue;
				}
			}
			rest[nr] = *it;
			idx[nr++] = i;
		}
		if (hits)
			vmc_map_count(cache, hits);
		if (!nr)
			continue;
		memset(&b, 0, sizeof(b));
		b.items = vmc_uptr(rest);
		b.count = (__u32)nr;
		if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_BATCH, &b))
			return -1;
		for (j = 0; j < nr; j++) {
			items[idx[j]].result = rest[j].result;
			items[idx[j]].value_size = rest[j].value_size;
			items[idx[j]].copied = rest[j].copied;
		}
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Fragmentation: values of random sizes (1..64 extents, seeded; the seed
 * is printed and VMEMCACHE_SEED replays it) fill the pool, are evicted at
 * random and by the LRU policy, and refill the holes.  Every value's bytes
 * derive from its key and generation, so every read is checked.
 *
 * The test keeps an exact model of the cache: LRU order, and space in
 * whole extents with a value fitting whenever enough extents are free,
 * wherever they are.  The kernel's entries, pool_used and counters must
 * match it after every step; pool utilisation must stay >= 90% while the
 * cache evicts, and once everything is evicted the free space must have
 * coalesced back into one extent run.
 */
#include "vmc_test.h"

#define MAX_EXTENTS	64

VMC_FIXTURE(frag)
VMC_LRU_VARIANTS(frag);

struct frag {
	int fd;
	uint64_t rng;
	uint64_t pool, ext;
	unsigned int nkeys;
	/* per key */
	uint64_t *size;		/* 0: absent */
	uint64_t *gen;
	uint64_t *used_at;	/* LRU clock of the last use */
	/* model totals; counters relative to base */
	uint64_t clock, used, entries;
	uint64_t puts, gets, hits, misses, evictions;
	struct vmemcache_stats base;
	/* observations */
	double min_util;
	uint64_t evicting_puts;
	uint8_t *buf, *val;
};

static uint32_t frag_key(char *buf, size_t size, unsigned int id)
{
	return vmc_key(buf, size, "frag-", id);
}

static uint64_t frag_alloc(const struct frag *f, uint64_t len)
{
	return VMC_ROUND_UP(len, f->ext);
}

/* The model's victim: the present key used longest ago. */
static int frag_lru(const struct frag *f)
{
	uint64_t best = UINT64_MAX;
	int victim = -1;
	unsigned int i;

	for (i = 0; i < f->nkeys; i++)
		if (f->size[i] && f->used_at[i] < best) {
			best = f->used_at[i];
			victim = (int)i;
		}
	return victim;
}

static void frag_drop(struct frag *f, unsigned int id)
{
	f->used -= frag_alloc(f, f->size[id]);
	f->size[id] = 0;
	f->entries--;
	f->evictions++;
}

/* Random size spanning 1..MAX_EXTENTS extents, any fill of the last. */
static uint64_t frag_rand_size(struct frag *f)
{
	uint64_t n = vmc_rand_range(&f->rng, 1, MAX_EXTENTS);

	return (n - 1) * f->ext + vmc_rand_range(&f->rng, 1, f->ext);
}

/* Compare every counter with the model, and sanity-check free_extents. */
static void frag_check_stats(struct __test_metadata *_metadata,
			     struct frag *f, const char *when)
{
	struct vmemcache_stats st;

	ASSERT_EQ(0, vmc_stats(f->fd, &st));
	st.puts -= f->base.puts;
	st.gets -= f->base.gets;
	st.hits -= f->base.hits;
	st.misses -= f->base.misses;
	st.evictions -= f->base.evictions;
	if (st.entries != f->entries || st.pool_used != f->used ||
	    st.evictions != f->evictions) {
		vmc_stats_log(when, &st);
		TH_LOG("model: entries %llu pool_used %llu evictions %llu (LRU or space model mismatch)",
		       (unsigned long long)f->entries,
		       (unsigned long long)f->used,
		       (unsigned long long)f->evictions);
	}
	ASSERT_EQ(f->entries, st.entries);
	ASSERT_EQ(f->used, st.pool_used);
	ASSERT_EQ(f->evictions, st.evictions);
	ASSERT_EQ(f->puts, st.puts);
	ASSERT_EQ(f->gets, st.gets);
	ASSERT_EQ(f->hits, st.hits);
	ASSERT_EQ(f->misses, st.misses);
	ASSERT_EQ(f->pool, st.pool_size);
	/* free runs: none iff the pool is full; each at least one extent;
	 * separated by used extents, so at most one more than those */
	ASSERT_EQ(st.pool_used == st.pool_size, st.free_extents == 0)
		TH_LOG("%s: free_extents %llu with %llu of %llu used", when,
		       st.free_extents, st.pool_used, st.pool_size);
	ASSERT_LE(st.free_extents * f->ext, st.pool_size - st.pool_used)
		TH_LOG("%s: free_extents %llu", when, st.free_extents);
	ASSERT_LE(st.free_extents, st.pool_used / f->ext + 1)
		TH_LOG("%s: free_extents %llu", when, st.free_extents);
}

/* Put a new value under an absent key; the model evicts like LRU. */
static void frag_put(struct __test_metadata *_metadata, struct frag *f,
		     unsigned int id, uint64_t len)
{
	uint64_t need = frag_alloc(f, len);
	uint64_t evicted = 0;
	char key[32];
	uint32_t klen = frag_key(key, sizeof(key), id);
	struct vmemcache_stats st;

	while (f->pool - f->used < need) {
		int victim = frag_lru(f);

		ASSERT_LE(0, victim);
		frag_drop(f, (unsigned int)victim);
		evicted++;
	}
	f->gen[id]++;
	vmc_fill(f->val, len, vmc_seed(id, f->gen[id]));
	ASSERT_EQ(0, vmc_put(f->fd, key, klen, f->val, len, 0))
		TH_LOG("put of %llu bytes under frag-%u",
		       (unsigned long long)len, id);
	f->size[id] = len;
	f->used_at[id] = ++f->clock;
	f->used += need;
	f->entries++;
	f->puts++;
	if (evicted) {
		double util;

		ASSERT_EQ(0, vmc_stats(f->fd, &st));
		util = (double)st.pool_used / (double)st.pool_size;
		if (util < f->min_util)
			f->min_util = util;
		f->evicting_puts++;
		st.evictions -= f->base.evictions;
		ASSERT_EQ(f->evictions, st.evictions)
			TH_LOG("put of %llu bytes evicted %llu, not %llu",
			       (unsigned long long)len,
			       (unsigned long long)(st.evictions -
						    (f->evictions - evicted)),
			       (unsigned long long)evicted);
		ASSERT_LE(0.90, util)
			TH_LOG("utilisation %.4f after an evicting put", util);
	}
}

/* Get [off, off + len) of a present key and check the bytes. */
static void frag_get(struct __test_metadata *_metadata, struct frag *f,
		     unsigned int id, uint64_t off, uint64_t len)
{
	uint64_t size = f->size[id], copied = 0, vsize = 0, want;
	char key[32];
	uint32_t klen = frag_key(key, sizeof(key), id);

	ASSERT_EQ(0, vmc_get(f->fd, key, klen, f->buf, len, off, &copied,
			     &vsize))
		TH_LOG("frag-%u (%llu bytes) should be cached", id,
		       (unsigned long long)size);
	f->gets++;
	f->hits++;
	f->used_at[id] = ++f->clock;
	want = off >= size ? 0 : (len < size - off ? len : size - off);
	ASSERT_EQ(size, vsize);
	ASSERT_EQ(want, copied);
	ASSERT_EQ(-1, vmc_check_at(f->buf, copied, vmc_seed(id, f->gen[id]),
				   off))
		TH_LOG("frag-%u generation %llu, %llu bytes at %llu", id,
		       (unsigned long long)f->gen[id],
		       (unsigned long long)copied, (unsigned long long)off);
}

static void frag_evict(struct __test_metadata *_metadata, struct frag *f,
		       unsigned int id)
{
	char key[32];
	uint32_t klen = frag_key(key, sizeof(key), id);

	ASSERT_EQ(0, vmc_evict(f->fd, key, klen));
	frag_drop(f, id);
}

/* One random operation on one random key. */
static void frag_step(struct __test_metadata *_metadata, struct frag *f)
{
	unsigned int id = (unsigned int)vmc_rand_range(&f->rng, 0, f->nkeys - 1);
	unsigned int r = (unsigned int)vmc_rand_range(&f->rng, 0, 99);
	char key[32];
	uint32_t klen = frag_key(key, sizeof(key), id);
	uint64_t size;

	if (!f->size[id]) {
		if (r < 15) {
			ASSERT_EQ(-ENOENT, vmc_get(f->fd, key, klen, f->buf,
						   16, 0, NULL, NULL))
				TH_LOG("frag-%u should not be cached", id);
			f->gets++;
			f->misses++;
			ASSERT_EQ(-ENOENT, vmc_exists(f->fd, key, klen, NULL));
		} else {
			frag_put(_metadata, f, id, frag_rand_size(f));
		}
		return;
	}
	size = f->size[id];
	if (r < 50) {
		frag_get(_metadata, f, id, 0, size + 1);
	} else if (r < 65) {
		uint64_t off = vmc_rand_range(&f->rng, 0, size);

		frag_get(_metadata, f, id, off,
			 vmc_rand_range(&f->rng, 0, size + 1));
	} else if (r < 75) {
		uint64_t vsize = 0;

		ASSERT_EQ(0, vmc_exists(f->fd, key, klen, &vsize));
		ASSERT_EQ(size, vsize);
	} else if (r < 90) {
		frag_evict(_metadata, f, id);
	} else {
		ASSERT_EQ(-EEXIST, vmc_put(f->fd, key, klen, f->val, 1, 0));
	}
}

static unsigned int frag_random_present(struct frag *f)
{
	unsigned int id;

	do
		id = (unsigned int)vmc_rand_range(&f->rng, 0, f->nkeys - 1);
	while (!f->size[id]);
	return id;
}

/* Put new values under absent keys until a put has had to evict. */
static void frag_fill(struct __test_metadata *_metadata, struct frag *f)
{
	uint64_t before = f->evictions;
	unsigned int id;

	while (f->evictions == before) {
		id = (unsigned int)vmc_rand_range(&f->rng, 0, f->nkeys - 1);
		if (!f->size[id])
			frag_put(_metadata, f, id, frag_rand_size(f));
	}
}

static void frag_verify_all(struct __test_metadata *_metadata, struct frag *f)
{
	unsigned int id;
	char key[32];

	for (id = 0; id < f->nkeys; id++) {
		uint32_t klen = frag_key(key, sizeof(key), id);

		if (f->size[id]) {
			frag_get(_metadata, f, id, 0, f->size[id] + 1);
		} else {
			ASSERT_EQ(-ENOENT, vmc_exists(f->fd, key, klen, NULL))
				TH_LOG("frag-%u should not be cached", id);
		}
	}
}

static void frag_run(struct __test_metadata *_metadata, int fd,
		     const char *policy, uint64_t capacity, uint32_t ext,
		     unsigned int nkeys, unsigned int ops)
{
	struct vmemcache_stats st;
	struct frag f;
	unsigned int i;
	double util;

	ASSERT_EQ(0, vmc_pin_one_cpu());
	VMC_CONFIG(capacity, ext, policy);
	memset(&f, 0, sizeof(f));
	f.fd = fd;
	f.rng = vmc_test_seed("frag");
	f.ext = ext;
	f.nkeys = nkeys;
	f.min_util = 1.0;
	f.size = calloc(nkeys, sizeof(*f.size));
	f.gen = calloc(nkeys, sizeof(*f.gen));
	f.used_at = calloc(nkeys, sizeof(*f.used_at));
	f.buf = malloc(MAX_EXTENTS * (size_t)ext + 1);
	f.val = malloc(MAX_EXTENTS * (size_t)ext + 1);
	ASSERT_NE(NULL, f.size);
	ASSERT_NE(NULL, f.gen);
	ASSERT_NE(NULL, f.used_at);
	ASSERT_NE(NULL, f.buf);
	ASSERT_NE(NULL, f.val);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	f.base = st;
	f.pool = st.pool_size;
	ASSERT_EQ(capacity - capacity % ext, f.pool);
	ASSERT_EQ(ext, st.extent_size);
	frag_check_stats(_metadata, &f, "empty");
	ASSERT_EQ(1u, st.free_extents);

	/* fill; punch random holes into half of it; refill */
	frag_fill(_metadata, &f);
	frag_check_stats(_metadata, &f, "filled");
	for (i = (unsigned int)(f.entries / 2); i; i--)
		frag_evict(_metadata, &f, frag_random_present(&f));
	frag_check_stats(_metadata, &f, "holes punched");
	frag_fill(_metadata, &f);
	frag_check_stats(_metadata, &f, "refilled");
	frag_verify_all(_metadata, &f);

	/* random traffic */
	for (i = 0; i < ops; i++) {
		frag_step(_metadata, &f);
		if (i % 64 == 63)
			frag_check_stats(_metadata, &f, "random traffic");
	}
	frag_check_stats(_metadata, &f, "after random traffic");
	frag_verify_all(_metadata, &f);
	frag_fill(_metadata, &f);
	frag_check_stats(_metadata, &f, "filled at the end");

	ASSERT_EQ(0, vmc_stats(fd, &st));
	util = (double)st.pool_used / (double)st.pool_size;
	fprintf(stderr, "# extent %u: %llu entries, %llu evictions, %llu evicting puts; utilisation %.4f now, %.4f at worst after an evicting put; %llu free extent runs\n",
		ext, st.entries, st.evictions - f.base.evictions,
		(unsigned long long)f.evicting_puts, util, f.min_util,
		st.free_extents);
	ASSERT_LE(0.90, util);
	ASSERT_LE(0.90, f.min_util);
	ASSERT_LT(0u, f.evicting_puts);
	VMC_ASSERT_CONSISTENT();

	/* empty it: LRU evictions and explicit ones alternately */
	for (i = 0; f.entries; i++) {
		if (i % 2) {
			int victim = frag_lru(&f);

			ASSERT_LE(0, victim);
			ASSERT_EQ(0, vmc_evict_lru(fd));
			frag_drop(&f, (unsigned int)victim);
		} else {
			frag_evict(_metadata, &f, frag_random_present(&f));
		}
		if (i % 16 == 0)
			frag_check_stats(_metadata, &f, "emptying");
	}
	ASSERT_EQ(-ESRCH, vmc_evict_lru(fd));
	frag_check_stats(_metadata, &f, "emptied");
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(0u, st.entries);
	ASSERT_EQ(0u, st.pool_used);
	ASSERT_EQ(1u, st.free_extents);
	VMC_ASSERT_CONSISTENT();

	free(f.size);
	free(f.gen);
	free(f.used_at);
	free(f.buf);
	free(f.val);
}

/* 4 MiB of 256-byte extents: values up to 16 KiB, about 500 of them. */
TEST_F_TIMEOUT(frag, small_extents, 150)
{
	frag_run(_metadata, self->fd, variant->policy, 4 << 20, 256, 1500, 20000);
}

/* 8 MiB + 1 page of 4 KiB extents: values up to 256 KiB. */
TEST_F_TIMEOUT(frag, large_extents, 150)
{
	frag_run(_metadata, self->fd, variant->policy, (8 << 20) + 4096, 4096, 200, 2000);
}

/* An extent size that is no power of two, and a pool not a multiple of it. */
TEST_F_TIMEOUT(frag, odd_extents, 150)
{
	frag_run(_metadata, self->fd, variant->policy, 3 << 20, 1000, 600, 6000);
}

/*
 * A put that evicts a value of its own size in extents takes over the
 * victim's extents: the allocator's lock is not taken, the pool stays as
 * full, and every value reads back.  A value of another size goes through
 * the allocator, and the pool is consistent afterwards.
 */
TEST_F(frag, same_size_eviction_reuses_extents)
{
	const uint64_t ext = 256, cap = 1 << 20, len = 3 * ext - 10;
	const uint64_t n = cap / (3 * ext);
	struct vmemcache_stats st0, st1;	/* before, after */
	char key[32];
	uint32_t klen;
	uint64_t i;

	ASSERT_EQ(0, vmc_config(cap, ext, variant->policy));
	ASSERT_EQ(0, vmc_stats(self->fd, &st1));
	for (i = 0; i < n; i++) {
		klen = frag_key(key, sizeof(key), (unsigned int)i);
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, len,
					     vmc_seed(i, 0), 0));
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	ASSERT_EQ(n, st0.entries);
	ASSERT_EQ(st1.evictions, st0.evictions);
	for (i = n; i < 2 * n; i++) {
		klen = frag_key(key, sizeof(key), (unsigned int)i);
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, len,
					     vmc_seed(i, 0), 0));
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st1));
	EXPECT_EQ(n, st1.evictions - st0.evictions);
	EXPECT_EQ(n, st1.entries);
	EXPECT_EQ(st0.pool_used, st1.pool_used);
	EXPECT_EQ(0u, st1.alloc_lock_acquired - st0.alloc_lock_acquired);
	for (i = 0; i < 2 * n; i++) {
		klen = frag_key(key, sizeof(key), (unsigned int)i);
		if (i < n) {
			ASSERT_EQ(-ENOENT,
				  vmc_exists(self->fd, key, klen, NULL));
		} else {
			VMC_ASSERT_VALUE(self->fd, key, klen, len,
					 vmc_seed(i, 0));
		}
	}

	/* Four extents where the victims had three: the allocator. */
	klen = frag_key(key, sizeof(key), (unsigned int)(2 * n));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, 4 * ext,
				     vmc_seed(2 * n, 0), 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	EXPECT_LT(st1.alloc_lock_acquired, st0.alloc_lock_acquired);
	VMC_ASSERT_VALUE(self->fd, key, klen, 4 * ext, vmc_seed(2 * n, 0));
	VMC_ASSERT_CONSISTENT();
}

TEST_HARNESS_MAIN

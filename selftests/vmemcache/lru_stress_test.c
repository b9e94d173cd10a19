// SPDX-License-Identifier: GPL-2.0
/*
 * Stress of the replacement policies, above all the buffered LRU: its
 * per-CPU rings overflowing, evictions and replacements racing with hits
 * on the very entries the rings hold, and many threads at once.  A get
 * must return a miss or the exact value last put for its key, and once
 * the threads stop and the cache is emptied no reference may be left
 * behind: every byte of the pool must be free again.
 */
#include "vmc_test.h"

#include <pthread.h>

#define CAP		(2ULL << 20)
#define EXT		256U
#define VLEN		1000U

VMC_FIXTURE(stress)
VMC_LRU_VARIANTS(stress);

/* Key i holds VLEN bytes of the pattern of (i, generation). */
static uint32_t stress_key(char *buf, size_t size, unsigned int id)
{
	return vmc_key(buf, size, "stress-", id);
}

static void assert_empty_pool(struct __test_metadata *_metadata, int fd)
{
	struct vmemcache_stats st;

	/* the index, the list, the pool and the counters agree, full ... */
	VMC_ASSERT_CONSISTENT();
	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_stats(fd, &st));
	EXPECT_EQ(0U, st.entries);
	EXPECT_EQ(0U, st.pool_used)
		TH_LOG("pool bytes still held after reset: a leaked reference");
	EXPECT_EQ(1U, st.free_extents);
	/* ... and empty */
	VMC_ASSERT_CONSISTENT();
}

/* One CPU records far more hits than a ring holds; order stays exact. */
TEST_F(stress, ring_overflow_keeps_order)
{
	char key[32];
	uint32_t klen;
	unsigned int i, n;
	uint64_t size;

	ASSERT_EQ(0, vmc_pin_one_cpu());
	VMC_CONFIG(CAP, EXT, variant->policy);
	/* 2 MiB / 1024-byte slots: 2048 values fill the pool exactly. */
	n = CAP / VMC_ROUND_UP(VLEN, EXT);
	for (i = 0; i < n; i++) {
		klen = stress_key(key, sizeof(key), i);
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, VLEN,
					     vmc_seed(i, 0), 0));
	}
	/* Touch the older half, many times over each ring's size. */
	for (i = 0; i < n / 2; i++) {
		klen = stress_key(key, sizeof(key), i);
		ASSERT_EQ(0, vmc_get_check(self->fd, key, klen, VLEN,
					   vmc_seed(i, 0)));
	}
	/* New puts must evict the untouched half first, oldest first. */
	for (i = 0; i < n / 2; i++) {
		klen = stress_key(key, sizeof(key), n + i);
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, VLEN,
					     vmc_seed(n + i, 0), 0));
		klen = stress_key(key, sizeof(key), n / 2 + i);
		ASSERT_EQ(-ENOENT, vmc_exists(self->fd, key, klen, &size))
			TH_LOG("id %u should have been evicted", n / 2 + i);
	}
	for (i = 0; i < n / 2; i++) {
		klen = stress_key(key, sizeof(key), i);
		ASSERT_EQ(0, vmc_exists(self->fd, key, klen, &size))
			TH_LOG("touched id %u was evicted", i);
	}
	assert_empty_pool(_metadata, self->fd);
}

struct racer {
	int fd;
	unsigned int id;
	unsigned int nkeys;
	unsigned int ops;
	volatile int *stop;
	uint64_t gets, hits, wrong;
	char error[160];
};

/*
 * Values of key k always carry the pattern of (k, 0): whatever a put or a
 * replace races with, a hit must return exactly those bytes.
 */
static void *racer_main(void *arg)
{
	struct racer *r = arg;
	uint64_t rng = vmc_mix64(r->id + 1), copied = 0, size = 0;
	uint8_t buf[VLEN + 1];
	char key[32];
	unsigned int i, k;
	uint32_t klen;
	int ret;

	for (i = 0; i < r->ops && !*r->stop; i++) {
		k = vmc_rand(&rng) % r->nkeys;
		klen = stress_key(key, sizeof(key), k);
		switch (vmc_rand(&rng) % 8) {
		case 0:
			vmc_put_pattern(r->fd, key, klen, VLEN, vmc_seed(k, 0),
					VMEMCACHE_PUT_REPLACE);
			break;
		case 1:
			vmc_evict(r->fd, key, klen);
			break;
		case 2:
			vmc_evict_lru(r->fd);
			break;
		default:
			r->gets++;
			ret = vmc_get(r->fd, key, klen, buf, sizeof(buf), 0,
				      &copied, &size);
			if (ret == -ENOENT)
				break;
			if (ret || copied != VLEN || size != VLEN ||
			    vmc_check(buf, VLEN, vmc_seed(k, 0)) >= 0) {
				if (!r->wrong++)
					snprintf(r->error, sizeof(r->error),
						 "key %u: ret %d copied %llu size %llu",
						 k, ret,
						 (unsigned long long)copied,
						 (unsigned long long)size);
				break;
			}
			r->hits++;
		}
	}
	return NULL;
}

static void run_racers(struct __test_metadata *_metadata, int fd,
		       unsigned int nthreads, unsigned int nkeys,
		       unsigned int ops)
{
	struct racer *r = calloc(nthreads, sizeof(*r));
	pthread_t *tid = calloc(nthreads, sizeof(*tid));
	struct vmemcache_stats st0, st1;
	volatile int stop = 0;
	uint64_t gets = 0, hits = 0;
	unsigned int i;

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, tid);
	ASSERT_EQ(0, vmc_stats(fd, &st0));
	for (i = 0; i < nthreads; i++) {
		r[i] = (struct racer){ .fd = fd, .id = i, .nkeys = nkeys,
				       .ops = ops, .stop = &stop };
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, racer_main, &r[i]));
	}
	for (i = 0; i < nthreads; i++)
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
	ASSERT_EQ(0, vmc_stats(fd, &st1));
	for (i = 0; i < nthreads; i++) {
		EXPECT_EQ(0U, r[i].wrong) TH_LOG("thread %u: %s", i, r[i].error);
		gets += r[i].gets;
		hits += r[i].hits;
	}
	EXPECT_EQ(gets, st1.gets - st0.gets);
	EXPECT_EQ(hits, st1.hits - st0.hits);
	EXPECT_LT(0U, hits) TH_LOG("no get ever hit: the test tested nothing");
	TH_LOG("%u threads, %llu gets, %llu hits, %llu evictions, %llu lock acquisitions (%llu contended)",
	       nthreads, (unsigned long long)gets, (unsigned long long)hits,
	       (unsigned long long)(st1.evictions - st0.evictions),
	       (unsigned long long)(st1.lru_lock_acquired - st0.lru_lock_acquired),
	       (unsigned long long)(st1.lru_lock_contended - st0.lru_lock_contended));
	free(r);
	free(tid);
}

/* Few hot keys: evictions and replacements hit entries the rings hold. */
TEST_F_TIMEOUT(stress, evict_races_hits, 240)
{
	VMC_CONFIG(CAP, EXT, variant->policy);
	run_racers(_metadata, self->fd, 16, 8, 3000);
	assert_empty_pool(_metadata, self->fd);
}

/* Many threads on a key set larger than the pool: constant eviction. */
TEST_F_TIMEOUT(stress, many_threads_under_pressure, 240)
{
	VMC_CONFIG(CAP, EXT, variant->policy);
	run_racers(_metadata, self->fd, 64, 4096, 400);
	assert_empty_pool(_metadata, self->fd);
}

TEST_HARNESS_MAIN

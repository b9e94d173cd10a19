// SPDX-License-Identifier: GPL-2.0
/*
 * What the cache reports about itself is true: the entry count never goes
 * below zero while puts and evicts race, a failed batch get reports no
 * bytes copied, a reset that fails says so, and the DRAM that keys and
 * entries pin is counted as allocated and bounded by dram_limit.
 */
#include "vmc_test.h"

#include <pthread.h>

/* The common fixture, which also gives dram_limit its default back. */
FIXTURE(accounting) {
	int fd;
};

FIXTURE_SETUP(accounting)
{
	self->fd = -1;
	ASSERT_EQ(0, vmc_restore_defaults());
	ASSERT_EQ(0, vmc_sysfs_write("dram_limit", "0"));
	self->fd = vmc_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(accounting)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, vmc_sysfs_write("dram_limit", "0"));
	EXPECT_EQ(0, vmc_restore_defaults());
}

/* A batch get that fails reports 0 bytes copied, not what it meant to. */
TEST_F(accounting, batch_failed_get_copies_nothing)
{
	struct vmemcache_batch_item it = {};
	struct vmemcache_batch b = {};
	char val[100];

	memset(val, 'v', sizeof(val));
	ASSERT_EQ(0, vmc_put(self->fd, "k", 1, val, sizeof(val), 0));
	it.op = VMEMCACHE_BATCH_GET;
	it.key = vmc_ptr("k");
	it.key_len = 1;
	it.buf = vmc_ptr(vmc_unmapped());
	it.len = sizeof(val);
	it.copied = 12345;
	b.items = vmc_ptr(&it);
	b.count = 1;
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_BATCH, &b));
	ASSERT_EQ(-EFAULT, it.result);
	ASSERT_EQ(0ULL, it.copied);
}

struct race {
	int fd;
	volatile bool stop;
	unsigned long ops;
};

static void *race_put(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		vmc_put(r->fd, "race", 4, "x", 1, 0);
		r->ops++;
	}
	return NULL;
}

static void *race_evict(void *arg)
{
	struct race *r = arg;

	while (!r->stop)
		vmc_evict(r->fd, "race", 4);
	return NULL;
}

/*
 * An evict that finds an entry the moment a put links it must not take the
 * count below zero (it was counted after it became visible), which the
 * statistics show as a count near 2^64.  The count may lag by one the other
 * way: an evict uncounts its entry just after taking it out of the index,
 * where the next put may already have counted its own, so 2 is possible.
 * The window is short: a run of the unfixed module catches it only now and
 * then.
 */
TEST_F(accounting, entries_never_negative)
{
	struct race r = { .fd = self->fd };
	struct vmemcache_stats st;
	pthread_t put, evict;
	uint64_t max_seen = 0;
	struct timespec t0, t;

	ASSERT_EQ(0, pthread_create(&put, NULL, race_put, &r));
	ASSERT_EQ(0, pthread_create(&evict, NULL, race_evict, &r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		ASSERT_EQ(0, vmc_stats(self->fd, &st));
		if (st.entries > max_seen)
			max_seen = st.entries;
		if (max_seen > 2)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 3);
	r.stop = true;
	pthread_join(put, NULL);
	pthread_join(evict, NULL);
	vmc_evict(self->fd, "race", 4);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	TH_LOG("%lu puts, largest entries seen %llu", r.ops,
	       (unsigned long long)max_seen);
	ASSERT_GE(2ULL, max_seen);
	ASSERT_EQ(0ULL, st.entries);
}

static void *race_put_many(void *arg)
{
	struct race *r = arg;
	char key[32];
	uint32_t len;

	while (!r->stop) {
		len = vmc_key(key, sizeof(key), "reset", r->ops++);
		vmc_put(r->fd, key, len, "x", 1, 0);
	}
	return NULL;
}

/*
 * A reset that cannot release the DAX device (a put linked an entry after
 * the cache was emptied) says so instead of reporting success while the
 * device stays claimed: a reset that succeeds has put the cache on DRAM.
 * Each round claims and releases the whole device: seconds under TCG, so
 * the harness's default 30 s is too short.
 */
TEST_F_TIMEOUT(accounting, reset_reports_failure, 600)
{
	struct race r = { .fd = self->fd };
	unsigned int i, failed = 0;
	char dev[256];
	pthread_t put;
	int ret;

	if (!*vmc_backing())
		SKIP(return, "needs a DAX device (VMEMCACHE_BACKING)");
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, vmc_config(VMC_DEFAULT_CAPACITY,
					VMC_DEFAULT_EXTENT, "lru"));
		ASSERT_LT(0, vmc_sysfs_read("backing_dev", dev, sizeof(dev)));
		ASSERT_NE(0, strncmp(dev, "none", 4));
		r.stop = false;
		ASSERT_EQ(0, pthread_create(&put, NULL, race_put_many, &r));
		usleep(1000);
		ret = vmc_reset();
		r.stop = true;
		pthread_join(put, NULL);
		ASSERT_LT(0, vmc_sysfs_read("backing_dev", dev, sizeof(dev)));
		if (ret) {
			ASSERT_EQ(-EBUSY, ret);
			ASSERT_NE(0, strncmp(dev, "none", 4));
			failed++;
		} else {
			ASSERT_EQ(0, strncmp(dev, "none", 4))
				TH_LOG("reset succeeded, backing_dev %s", dev);
		}
	}
	TH_LOG("%u of 20 resets raced with a put", failed);
	/* Nothing races now: the reset goes through. */
	ASSERT_EQ(0, vmc_reset());
}

/* ------------------------------------------------------------ DRAM */

#define BIG_KEY		65536U
/* What a 64 KiB key's entry takes: kmalloc's 128 KiB, or vmalloc's pages. */
#define BIG_ENTRY_MIN	VMC_ROUND_UP(64 + BIG_KEY, VMC_PAGE)
#define BIG_ENTRY_MAX	(128U << 10)

/* A field of /proc/meminfo in KiB, or -1. */
static long meminfo_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/*
 * MemFree once it has stopped moving (2 s within 256 KiB, 10 s at most):
 * memory that earlier tests freed through RCU, which batches frees for
 * seconds, would otherwise come back during a measurement and hide what
 * the cache took.
 */
static long settled_memfree_kb(void)
{
	long base = meminfo_kb("MemFree"), cur = base;
	int i, steady = 0;

	for (i = 0; i < 20 && steady < 4; i++) {
		usleep(500 * 1000);
		cur = meminfo_kb("MemFree");
		if (labs(cur - base) <= 256) {
			steady++;
		} else {
			steady = 0;
			base = cur;
		}
	}
	return cur;
}

/* A 64 KiB key told apart by its first bytes. */
static void big_key(uint8_t *key, unsigned int i)
{
	memset(key, 'k', BIG_KEY);
	memcpy(key, &i, sizeof(i));
}

static int set_dram_limit(uint64_t bytes)
{
	return vmc_sysfs_write_u64("dram_limit", bytes);
}

/* The default follows the capacity: twice it, at most half the RAM. */
TEST_F(accounting, dram_limit_default)
{
	uint64_t limit, ram = (uint64_t)meminfo_kb("MemTotal") << 10;
	uint64_t caps[] = { VMC_DEFAULT_CAPACITY, 256ULL << 20 };
	unsigned int i;
	uint64_t want;

	for (i = 0; i < 2; i++) {
		VMC_CONFIG(caps[i], VMC_DEFAULT_EXTENT, "lru");
		ASSERT_EQ(0, vmc_sysfs_read_u64("capacity", &caps[i]));
		ASSERT_EQ(0, vmc_sysfs_read_u64("dram_limit", &limit));
		want = 2 * caps[i] < ram / 2 ? 2 * caps[i] : ram / 2;
		/* MemTotal and the kernel's count of RAM pages agree. */
		ASSERT_EQ(want, limit);
	}
	ASSERT_EQ(0, vmc_sysfs_write("dram_limit", "16M"));
	ASSERT_EQ(0, vmc_sysfs_read_u64("dram_limit", &limit));
	ASSERT_EQ(16ULL << 20, limit);
	ASSERT_EQ(-EINVAL, vmc_sysfs_write("dram_limit", "lots"));
	ASSERT_EQ(0, set_dram_limit(0));
	ASSERT_EQ(0, vmc_sysfs_read_u64("dram_limit", &limit));
	ASSERT_EQ(want, limit);
}

/*
 * 64 KiB keys with 1-byte values under policy lru: dram_used stays within
 * dram_limit (the puts evict), counts what the entries really take (128
 * KiB each from kmalloc), and agrees with the memory the machine lost.
 */
TEST_F_TIMEOUT(accounting, big_keys_evict_at_dram_limit, 90)
{
	const uint64_t limit = 32ULL << 20;
	struct vmemcache_stats st0, st;
	unsigned int i, n = 400;
	long free0, free1;
	int64_t lost, diff;
	uint8_t *key;

	key = malloc(BIG_KEY);
	ASSERT_NE(NULL, key);
	VMC_CONFIG(VMC_DEFAULT_CAPACITY, VMC_DEFAULT_EXTENT, "lru");
	ASSERT_EQ(0, set_dram_limit(limit));
	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	big_key(key, 0);
	free0 = settled_memfree_kb();
	for (i = 0; i < n; i++) {
		big_key(key, i);
		ASSERT_EQ(0, vmc_put(self->fd, key, BIG_KEY, "v", 1, 0))
			TH_LOG("put %u", i);
		ASSERT_EQ(0, vmc_stats(self->fd, &st));
		ASSERT_GE(limit, st.dram_used)
			TH_LOG("put %u: dram_used %llu over the limit", i,
			       st.dram_used);
	}
	vmc_stats_log("64 KiB keys", &st);
	ASSERT_LT(st0.evictions, st.evictions);
	ASSERT_EQ(n, st.entries + st.evictions - st0.evictions);
	/* Every entry counted as allocated, not as requested. */
	ASSERT_LE(st.entries * BIG_ENTRY_MIN, st.dram_used);
	ASSERT_GE(st.entries * BIG_ENTRY_MAX + 4096, st.dram_used);
	/* A third of the limit short at most: the limit is what binds. */
	ASSERT_LE(limit - limit / 3, st.dram_used);
	/*
	 * Evicted entries go back after an RCU grace period, which
	 * kvfree_rcu() batches for up to 5 s on 6.1: wait for them.
	 */
	for (i = 0; i < 40; i++) {
		free1 = meminfo_kb("MemFree");
		lost = ((int64_t)free0 - free1) * 1024;
		diff = lost - (int64_t)st.dram_used;
		if ((diff < 0 ? -diff : diff) <= (int64_t)st.dram_used / 5 +
						 (2 << 20))
			break;
		usleep(500 * 1000);
	}
	TH_LOG("MemFree fell by %lld bytes, dram_used %llu", (long long)lost,
	       st.dram_used);
	ASSERT_GE((int64_t)st.dram_used / 5 + (2 << 20), diff < 0 ? -diff : diff);
	/* The most recent key is still there, the first one is not. */
	ASSERT_EQ(0, vmc_exists(self->fd, key, BIG_KEY, NULL));
	big_key(key, 0);
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, key, BIG_KEY, NULL));
	free(key);
}

/* Policy none cannot evict: the put that would pass the limit fails. */
TEST_F(accounting, big_keys_fail_at_dram_limit_policy_none)
{
	const uint64_t limit = 4ULL << 20;
	struct vmemcache_stats st0, st, after;
	unsigned int i;
	uint8_t *key;
	int ret = 0;

	key = malloc(BIG_KEY);
	ASSERT_NE(NULL, key);
	VMC_CONFIG(VMC_DEFAULT_CAPACITY, VMC_DEFAULT_EXTENT, "none");
	ASSERT_EQ(0, set_dram_limit(limit));
	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	for (i = 0; i < 1000; i++) {
		big_key(key, i);
		ret = vmc_put(self->fd, key, BIG_KEY, "v", 1, 0);
		if (ret)
			break;
	}
	ASSERT_EQ(-ENOSPC, ret);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(i, st.entries);
	ASSERT_EQ(st0.evictions, st.evictions);
	ASSERT_GE(limit, st.dram_used);
	ASSERT_LE(limit / BIG_ENTRY_MAX - 1, st.entries);
	/* Nothing changed with the failed put. */
	ASSERT_EQ(-ENOSPC, vmc_put(self->fd, key, BIG_KEY, "v", 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &after));
	ASSERT_EQ(st.entries, after.entries);
	ASSERT_EQ(st.dram_used, after.dram_used);
	ASSERT_EQ(st.pool_used, after.pool_used);
	free(key);
}

/* An entry that alone is over the limit fails and evicts nothing. */
TEST_F(accounting, entry_over_dram_limit)
{
	struct vmemcache_stats st0, st;
	uint8_t *key;

	key = malloc(BIG_KEY);
	ASSERT_NE(NULL, key);
	ASSERT_EQ(0, vmc_put(self->fd, "small", 5, "v", 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	ASSERT_EQ(0, set_dram_limit(64 << 10));
	big_key(key, 1);
	ASSERT_EQ(-ENOSPC, vmc_put(self->fd, key, BIG_KEY, "v", 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(1ULL, st.entries);
	ASSERT_EQ(st0.evictions, st.evictions);
	ASSERT_EQ(0, vmc_exists(self->fd, "small", 5, NULL));
	free(key);
}

/* A private cache is bounded by the default rule on its own capacity. */
TEST_F(accounting, private_cache_dram_bound)
{
	struct vmemcache_create cr = {
		.size = VMC_MIN_CAPACITY,
		.extent_size = VMC_DEFAULT_EXTENT,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC,
	};
	struct vmemcache_stats st;
	unsigned int i;
	uint8_t *key;
	int pfd;

	key = malloc(BIG_KEY);
	ASSERT_NE(NULL, key);
	pfd = ioctl(self->fd, VMEMCACHE_IOC_CREATE, &cr);
	ASSERT_LE(0, pfd) TH_LOG("create: %s", strerror(errno));
	for (i = 0; i < 64; i++) {
		big_key(key, i);
		ASSERT_EQ(0, vmc_put(pfd, key, BIG_KEY, "v", 1, 0));
		ASSERT_EQ(0, vmc_stats(pfd, &st));
		ASSERT_GE(2 * VMC_MIN_CAPACITY, st.dram_used);
	}
	ASSERT_LT(0ULL, st.evictions);
	close(pfd);
	free(key);
}

TEST_HARNESS_MAIN

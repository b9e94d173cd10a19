// SPDX-License-Identifier: GPL-2.0
/*
 * Private caches of two tiers (VMEMCACHE_CREATE_TIER): puts land in the
 * fast tier, its victims are demoted into the slow tier (read back
 * byte-exact from there), a second hit in the slow tier promotes, what
 * the slow tier evicts is what the evicted log reports (and nothing for
 * demotions), an expired entry is reclaimed rather than demoted, one-tier
 * caches have no tier counters, the create arguments are checked, and
 * VMEMCACHE_IOC_TIER_STATS works on a read-only descriptor.  The slow
 * tier is DRAM, and /dev/pmem0 when the guest has it.
 */
#include "vmc_test.h"

#include <pthread.h>
#include <sys/mount.h>
#include <time.h>

#define PMEM		"/dev/pmem0"
#define MIB		(1ULL << 20)
/* One value per extent: the tiers' capacities count in values. */
#define VAL		4096U
#define FAST		(1 * MIB)
#define SLOW		(2 * MIB)
#define FAST_VALS	(FAST / VAL)
#define SLOW_VALS	(SLOW / VAL)

#define REC_KEY(rec)	((const char *)((rec) + 1))

/*
 * A two-tier private cache, the caller pinned to one CPU first: which
 * entry each tier evicts is exact only among one CPU's operations (see
 * vmc_pin_one_cpu()), and the tests name the entries that move.
 */
static int tier_create(int fd, uint64_t fast, uint64_t slow,
		       uint32_t slow_flags, int slow_fd)
{
	struct vmemcache_create cr = {
		.size = fast,
		.extent_size = VAL,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC | VMEMCACHE_CREATE_TIER,
		.slow_size = slow,
		.slow_flags = slow_flags,
		.slow_fd = slow_fd,
	};
	int ret = vmc_pin_one_cpu();

	if (ret)
		return ret;
	ret = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);
	return ret < 0 ? -errno : ret;
}

/* Let the caller, and the threads it starts, run on every CPU again. */
static int unpin(void)
{
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int create_raw(int fd, struct vmemcache_create *cr)
{
	int ret = ioctl(fd, VMEMCACHE_IOC_CREATE, cr);

	if (ret >= 0)
		close(ret);
	return ret < 0 ? -errno : 0;
}

static int tier_stats(int fd, struct vmemcache_tier_stats *ts)
{
	memset(ts, 0xa5, sizeof(*ts));
	return vmc_ioctl(fd, VMEMCACHE_IOC_TIER_STATS, ts);
}

static uint32_t key_of(char *buf, int i)
{
	return snprintf(buf, 32, "key-%06d", i);
}

static int put_i(int fd, int i)
{
	char key[32];
	uint32_t len = key_of(key, i);

	return vmc_put_pattern(fd, key, len, VAL, 1000 + i, 0);
}

static int get_i(int fd, int i)
{
	char key[32];
	uint32_t len = key_of(key, i);

	return vmc_get_check(fd, key, len, VAL, 1000 + i);
}

/* A two-tier cache of DRAM, its fast tier full and @extra values demoted. */
static int filled(struct __test_metadata *_metadata, int dev, int extra)
{
	struct vmemcache_tier_stats ts;
	int fd = tier_create(dev, FAST, SLOW, 0, 0);
	int i;

	EXPECT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	if (fd < 0)
		return fd;
	for (i = 0; i < (int)FAST_VALS + extra; i++)
		EXPECT_EQ(0, put_i(fd, i)) TH_LOG("put %d", i);
	EXPECT_EQ(0, tier_stats(fd, &ts));
	EXPECT_EQ(2u, ts.nr_tiers);
	EXPECT_EQ((uint64_t)extra, ts.demotions);
	EXPECT_EQ(FAST_VALS, ts.tier[0].entries);
	EXPECT_EQ((uint64_t)extra, ts.tier[1].entries);
	return fd;
}

/* The debugfs check of a private cache (module/debugfs.c). */
struct check_private_arg {
	int32_t fd;
	uint32_t pad;
	uint64_t buf;
	uint64_t len;
};

#define CHECK_PRIVATE		VMC_DEBUGFS "/vmemcache/check_private"
#define CHECK_PRIVATE_IOC	_IOW(VMEMCACHE_IOC_MAGIC, 0x81, \
				     struct check_private_arg)

/*
 * Run the module's consistency check, over both pools, on the private
 * cache @fd: 0 when it says ok, with *@used the pool bytes of both tiers
 * that entries own; 1 when the module has no such check (a build without
 * VMEMCACHE_DEBUG); -EBADMSG (the report on stderr) or -errno.
 */
static int check_private(int fd, unsigned long long *used)
{
	unsigned long long entries, u, free, dram, dram_entries;
	struct check_private_arg a = { .fd = fd };
	char buf[8192];
	struct stat st;
	int cfd, ret;

	if (stat(VMC_DEBUGFS "/vmemcache", &st) &&
	    mount("debugfs", VMC_DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY)
		return -errno;
	cfd = open(CHECK_PRIVATE, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return errno == ENOENT ? 1 : -errno;
	a.buf = vmc_ptr(buf);
	a.len = sizeof(buf);
	ret = vmc_ioctl(cfd, CHECK_PRIVATE_IOC, &a);
	close(cfd);
	if (ret)
		return ret;
	if (sscanf(buf, "ok entries=%llu used=%llu free=%llu dram_used=%llu dram_entries=%llu",
		   &entries, &u, &free, &dram, &dram_entries) != 5 ||
	    dram != dram_entries) {
		fprintf(stderr, "# consistency check failed:\n%s", buf);
		return -EBADMSG;
	}
	if (used)
		*used = u;
	return 0;
}

/* Assert that the module finds the private cache @fd consistent. */
#define ASSERT_CONSISTENT(fd) do {					\
	int _r = check_private(fd, NULL);				\
									\
	ASSERT_LE(0, _r);						\
} while (0)

VMC_FIXTURE(tier)

TEST_F(tier, feature_and_puts_land_in_fast)
{
	struct vmemcache_version v;
	struct vmemcache_tier_stats ts;
	struct vmemcache_stats st;
	int fd, i;

	ASSERT_EQ(0, vmc_version(self->fd, &v));
	ASSERT_TRUE(!!(v.features & VMEMCACHE_FEAT_TIERS));
	ASSERT_EQ(192u, sizeof(ts));
	fd = tier_create(self->fd, FAST, SLOW, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, put_i(fd, i));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(2u, ts.nr_tiers);
	ASSERT_EQ(0u, ts.pad);
	ASSERT_EQ(0u, ts.demotions);
	ASSERT_EQ(0u, ts.promotions);
	ASSERT_EQ(10u, ts.tier[0].entries);
	ASSERT_EQ(10u * VAL, ts.tier[0].pool_used);
	ASSERT_EQ(FAST, ts.tier[0].pool_size);
	ASSERT_EQ(0u, ts.tier[1].entries);
	ASSERT_EQ(0u, ts.tier[1].pool_used);
	ASSERT_EQ(SLOW, ts.tier[1].pool_size);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0u, ts.reserved[i]);
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, get_i(fd, i));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(10u, ts.tier[0].hits);
	ASSERT_EQ(0u, ts.tier[1].hits);
	/* STATS covers the whole cache: both pools. */
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(FAST + SLOW, st.pool_size);
	ASSERT_EQ(10u, st.entries);
	close(fd);
}

TEST_F(tier, demotes_and_reads_back_from_slow)
{
	struct vmemcache_tier_stats ts;
	struct vmemcache_stats st;
	int fd, i;

	fd = filled(_metadata, self->fd, 100);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(0u, st.evictions);
	ASSERT_EQ(FAST_VALS + 100, st.entries);
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(100u * VAL, ts.tier[1].pool_used);
	ASSERT_EQ(FAST * 1, ts.tier[0].pool_used);
	/* The 100 oldest went down; every value reads back byte-exact. */
	for (i = 0; i < (int)FAST_VALS + 100; i++)
		ASSERT_EQ(0, get_i(fd, i)) TH_LOG("get %d", i);
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(100u, ts.tier[1].hits);
	ASSERT_EQ(FAST_VALS, ts.tier[0].hits);
	/* A first slow hit does not promote. */
	ASSERT_EQ(0u, ts.promotions);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(FAST_VALS + 100, st.hits);
	ASSERT_CONSISTENT(fd);
	close(fd);
}

/* The consistency check covers both pools. */
TEST_F(tier, check_covers_both_pools)
{
	unsigned long long used = 0;
	int fd, ret;

	fd = filled(_metadata, self->fd, 100);
	ASSERT_LE(0, fd);
	ret = check_private(fd, &used);
	if (ret == 1) {
		close(fd);
		SKIP(return, "no %s: a module built without VMEMCACHE_DEBUG",
		     CHECK_PRIVATE);
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ((FAST_VALS + 100) * VAL, used);
	/* After promotions, demotions and evictions, still. */
	ASSERT_EQ(0, get_i(fd, 0));
	ASSERT_EQ(0, get_i(fd, 0));
	ASSERT_EQ(0, check_private(fd, &used));
	ASSERT_EQ((FAST_VALS + 100) * VAL, used);
	ASSERT_EQ(-EINVAL, check_private(self->fd, NULL));
	close(fd);
}

TEST_F(tier, second_slow_hit_promotes)
{
	struct vmemcache_tier_stats ts, ts2;
	int fd;

	fd = filled(_metadata, self->fd, 10);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, get_i(fd, 0));	/* slow hit 1: referenced */
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(1u, ts.tier[1].hits);
	ASSERT_EQ(0u, ts.promotions);
	ASSERT_EQ(0, get_i(fd, 0));	/* slow hit 2: promoted */
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(2u, ts.tier[1].hits);
	ASSERT_EQ(1u, ts.promotions);
	/* Room for it was made by demoting the fast tier's LRU entry. */
	ASSERT_EQ(11u, ts.demotions);
	ASSERT_EQ(FAST_VALS, ts.tier[0].entries);
	ASSERT_EQ(10u, ts.tier[1].entries);
	/* Now a fast hit, with the same value. */
	ASSERT_EQ(0, get_i(fd, 0));
	ASSERT_EQ(0, tier_stats(fd, &ts2));
	ASSERT_EQ(ts.tier[0].hits + 1, ts2.tier[0].hits);
	ASSERT_EQ(2u, ts2.tier[1].hits);
	ASSERT_EQ(1u, ts2.promotions);
	/* The entry demoted for it (key 10, the fast LRU) reads from slow. */
	ASSERT_EQ(0, get_i(fd, 10));
	ASSERT_EQ(0, tier_stats(fd, &ts2));
	ASSERT_EQ(3u, ts2.tier[1].hits);
	close(fd);
}

/* EXISTS with VMEMCACHE_GET_META | VMEMCACHE_GET_STATE of key @i. */
static int state_i(int fd, int i, struct vmemcache_exists *x)
{
	static char key[32];

	memset(x, 0, sizeof(*x));
	x->key_len = key_of(key, i);
	x->key = (uintptr_t)key;
	x->flags = VMEMCACHE_GET_META | VMEMCACHE_GET_STATE;
	return vmc_ioctl(fd, VMEMCACHE_IOC_EXISTS, x);
}

static uint32_t boottime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec;
}

/*
 * Moving between tiers is invisible to readers: the entry keeps its
 * version, its access state (fetched, stale) and its last access through
 * a demotion and a promotion.
 */
TEST_F(tier, moves_keep_state_and_meta)
{
	struct vmemcache_touch t = { .flags = VMEMCACHE_TOUCH_KEEP_EXPIRY |
					      VMEMCACHE_TOUCH_STALE };
	struct vmemcache_exists x0, x;
	struct vmemcache_tier_stats ts;
	char key[32];
	uint32_t t0, want = VMEMCACHE_STATE_FETCHED | VMEMCACHE_STATE_STALE;
	int fd, i;

	fd = tier_create(self->fd, FAST, SLOW, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	t0 = boottime_s();
	ASSERT_EQ(0, put_i(fd, 0));
	ASSERT_EQ(0, get_i(fd, 0));
	t.key_len = key_of(key, 0);
	t.key = (uintptr_t)key;
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_TOUCH, &t));
	ASSERT_EQ(0, state_i(fd, 0, &x0));
	ASSERT_EQ(want, x0.state);
	/* The coarse stamp may still tell the second before t0. */
	ASSERT_LE(t0 - 1, x0.last_access);
	/* Key 0 is the fast tier's LRU entry: the next puts demote it. */
	for (i = 1; i <= (int)FAST_VALS; i++)
		ASSERT_EQ(0, put_i(fd, i));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(1u, ts.demotions);
	ASSERT_EQ(1u, ts.tier[1].entries);
	ASSERT_EQ(0, state_i(fd, 0, &x));
	EXPECT_EQ(want, x.state);
	EXPECT_EQ(x0.last_access, x.last_access);
	EXPECT_EQ(x0.cas, x.cas);
	/*
	 * Two slow hits promote it; it is still stale, and still itself,
	 * last accessed by the get that promoted it.
	 */
	ASSERT_EQ(0, get_i(fd, 0));
	sleep(2);	/* the first hit's stamp stays below t0 - 1 */
	t0 = boottime_s();
	ASSERT_EQ(0, get_i(fd, 0));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(1u, ts.promotions);
	ASSERT_EQ(0, state_i(fd, 0, &x));
	EXPECT_EQ(want, x.state);
	EXPECT_LE(t0 - 1, x.last_access);
	EXPECT_GE(boottime_s(), x.last_access);
	EXPECT_EQ(x0.cas, x.cas);
	close(fd);
}

/* A put whose evicted log adds the evicted keys' numbers to @gone. */
static int put_logged(int fd, int i, bool *gone, int n, uint64_t *recs)
{
	static uint64_t logbuf[4096];
	struct vmemcache_evicted_log *log = (void *)logbuf;
	const struct vmemcache_evicted_rec *rec;
	const uint8_t *at;
	char key[32], *val;
	struct vmemcache_put p = { 0 };
	uint32_t r;
	int ret, k;

	val = malloc(VAL);
	if (!val)
		return -ENOMEM;
	vmc_fill(val, VAL, 1000 + i);
	p.key = vmc_ptr(key);
	p.key_len = key_of(key, i);
	p.value = vmc_ptr(val);
	p.value_len = VAL;
	p.evicted = vmc_ptr(log);
	p.evicted_size = sizeof(logbuf);
	ret = vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p);
	free(val);
	if (ret)
		return ret;
	if (log->flags || log->dropped)
		return -EOVERFLOW;
	at = (const uint8_t *)(log + 1);
	for (r = 0; r < log->count; r++) {
		rec = (const void *)at;
		if (sscanf(REC_KEY(rec), "key-%06d", &k) != 1 || k < 0 ||
		    k >= n || gone[k] || rec->value_size != VAL)
			return -EBADMSG;
		gone[k] = true;
		at += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
	}
	*recs += log->count;
	return 0;
}

TEST_F(tier, slow_evictions_are_the_evictions)
{
	const int n = FAST_VALS + SLOW_VALS + 77;
	struct vmemcache_tier_stats ts;
	struct vmemcache_stats st;
	uint64_t recs = 0;
	bool gone[FAST_VALS + SLOW_VALS + 77] = { 0 };
	int fd, i, left = 0;

	fd = tier_create(self->fd, FAST, SLOW, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, put_logged(fd, i, gone, n, &recs))
			TH_LOG("put %d", i);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	/* The log reported exactly the evictions: the 77 oldest. */
	ASSERT_EQ(77u, recs);
	ASSERT_EQ(recs, st.evictions);
	ASSERT_EQ(SLOW_VALS + 77, ts.demotions);
	ASSERT_EQ(SLOW_VALS, ts.tier[1].entries);
	ASSERT_EQ(FAST_VALS, ts.tier[0].entries);
	for (i = 0; i < n; i++) {
		if (gone[i]) {
			ASSERT_LT(i, 77);
			ASSERT_EQ(-ENOENT, get_i(fd, i)) TH_LOG("key %d", i);
		} else {
			ASSERT_EQ(0, get_i(fd, i)) TH_LOG("key %d", i);
			left++;
		}
	}
	ASSERT_EQ(n - 77, left);
	/* Evicting "the LRU entry" takes the slow tier's, and reports it. */
	ASSERT_EQ(0, vmc_evict_lru(fd));
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(78u, st.evictions);
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(SLOW_VALS - 1, ts.tier[1].entries);
	ASSERT_CONSISTENT(fd);
	close(fd);
}

/* Puts without a log evict from the slow tier just the same. */
TEST_F(tier, slow_tier_fills_without_a_log)
{
	const int n = FAST_VALS + SLOW_VALS + 40;
	struct vmemcache_tier_stats ts;
	struct vmemcache_stats st;
	int fd, i;

	fd = tier_create(self->fd, FAST, SLOW, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, put_i(fd, i));
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(40u, st.evictions);
	ASSERT_EQ(SLOW_VALS + 40, ts.demotions);
	ASSERT_EQ(SLOW_VALS, ts.tier[1].entries);
	ASSERT_EQ(FAST_VALS, ts.tier[0].entries);
	/* The 40 oldest left; the next oldest is in the slow tier. */
	ASSERT_EQ(-ENOENT, get_i(fd, 39));
	ASSERT_EQ(0, get_i(fd, 40));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(1u, ts.tier[1].hits);
	ASSERT_CONSISTENT(fd);
	close(fd);
}

/*
 * A value larger than the slow tier leaves the cache when the fast tier
 * evicts it, and the slow tier keeps what it holds.
 */
TEST_F(tier, too_large_for_slow_is_evicted)
{
	struct vmemcache_tier_stats ts;
	struct vmemcache_stats st;
	int fd, i;

	fd = tier_create(self->fd, 4 * MIB, MIB, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, put_i(fd, i));
	ASSERT_EQ(0, vmc_put_pattern(fd, "big", 3, 2 * MIB, 7, 0));
	/* 612 of 1024 units used: 412 fill it, 100 demote, 8 evict big. */
	for (i = 100; i < 100 + 412 + 100 + 8; i++)
		ASSERT_EQ(0, put_i(fd, i)) TH_LOG("put %d", i);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(1u, st.evictions);
	ASSERT_EQ(100u, ts.demotions);
	ASSERT_EQ(100u, ts.tier[1].entries);
	ASSERT_EQ(-ENOENT, vmc_exists(fd, "big", 3, NULL));
	ASSERT_EQ(0, get_i(fd, 0));
	ASSERT_CONSISTENT(fd);
	close(fd);
}

struct racer {
	int fd;
	int id;
	int errors;
	volatile int *stop;
};

/* Gets of the keys 0..199, mostly in the slow tier: promotions race. */
static void *get_racer(void *arg)
{
	struct racer *r = arg;
	unsigned int i = (unsigned int)r->id * 7;
	int ret;

	while (!*r->stop) {
		ret = get_i(r->fd, (int)(i++ % 200));
		if (ret && ret != -ENOENT)
			r->errors++;
	}
	return NULL;
}

/* Puts of new keys: demotions and evictions under the racing gets. */
static void *put_racer(void *arg)
{
	struct racer *r = arg;
	int i;

	for (i = 0; !*r->stop && i < 3000; i++)
		if (put_i(r->fd, 10000 + i))
			r->errors++;
	return NULL;
}

TEST_F(tier, racing_promotions_and_demotions)
{
	struct vmemcache_tier_stats ts;
	struct vmemcache_stats st;
	struct racer r[5];
	pthread_t t[5];
	volatile int stop = 0;
	int fd, i;

	fd = filled(_metadata, self->fd, 200);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unpin());
	for (i = 0; i < 5; i++) {
		r[i] = (struct racer){ .fd = fd, .id = i, .stop = &stop };
		ASSERT_EQ(0, pthread_create(&t[i], NULL,
					    i ? get_racer : put_racer, &r[i]));
	}
	sleep(3);
	stop = 1;
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		ASSERT_EQ(0, r[i].errors) TH_LOG("racer %d", i);
	}
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_LT(0u, ts.promotions);
	ASSERT_EQ(st.entries, ts.tier[0].entries + ts.tier[1].entries);
	ASSERT_GE(FAST_VALS, ts.tier[0].entries);
	ASSERT_GE(SLOW_VALS, ts.tier[1].entries);
	ASSERT_CONSISTENT(fd);
	close(fd);
}

TEST_F(tier, expired_entry_is_reclaimed_not_demoted)
{
	struct vmemcache_tier_stats ts;
	struct vmemcache_put p = { 0 };
	struct timespec now;
	char val[VAL];
	int fd, i;

	fd = tier_create(self->fd, FAST, SLOW, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, clock_gettime(CLOCK_BOOTTIME, &now));
	memset(val, 7, sizeof(val));
	p.key = vmc_ptr("short-lived");
	p.key_len = 11;
	p.value = vmc_ptr(val);
	p.value_len = VAL;
	p.expiry = now.tv_sec + 1;
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p));
	sleep(2);
	/* The LRU entry, when the fast tier first needs room: expired. */
	for (i = 0; i < (int)FAST_VALS; i++)
		ASSERT_EQ(0, put_i(fd, i));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(0u, ts.demotions);
	ASSERT_EQ(0u, ts.tier[1].entries);
	ASSERT_EQ(FAST_VALS, ts.tier[0].entries);
	ASSERT_EQ(-ENOENT, vmc_exists(fd, "short-lived", 11, NULL));
	close(fd);
}

TEST_F(tier, one_tier_caches_have_no_tier_counters)
{
	struct vmemcache_create cr = {
		.size = FAST, .extent_size = VAL,
		.policy = VMEMCACHE_POLICY_LRU,
	};
	struct vmemcache_tier_stats ts;
	struct vmemcache_stats st;
	int fd, i;

	fd = ioctl(self->fd, VMEMCACHE_IOC_CREATE, &cr);
	ASSERT_LE(0, fd);
	for (i = 0; i < (int)FAST_VALS + 20; i++)
		ASSERT_EQ(0, put_i(fd, i));
	ASSERT_EQ(0, get_i(fd, FAST_VALS));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(1u, ts.nr_tiers);
	ASSERT_EQ(0u, ts.demotions);
	ASSERT_EQ(0u, ts.promotions);
	ASSERT_EQ(FAST_VALS, ts.tier[0].entries);
	ASSERT_EQ(1u, ts.tier[0].hits);
	ASSERT_EQ(FAST, ts.tier[0].pool_size);
	ASSERT_EQ(0u, ts.tier[1].hits);
	ASSERT_EQ(0u, ts.tier[1].entries);
	ASSERT_EQ(0u, ts.tier[1].pool_used);
	ASSERT_EQ(0u, ts.tier[1].pool_size);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(20u, st.evictions);
	ASSERT_EQ(FAST, st.pool_size);
	close(fd);
}

TEST_F(tier, bad_create_arguments)
{
	struct vmemcache_create cr, base = {
		.size = FAST, .extent_size = VAL,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_TIER, .slow_size = SLOW,
	};
	int notdev = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, notdev);
	cr = base;
	ASSERT_EQ(0, create_raw(self->fd, &cr));
	/* Without the flag the slow tier's fields are reserved. */
	cr = base;
	cr.flags = 0;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr.slow_size = 0;
	cr.slow_pad = 1;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr = base;
	cr.slow_flags = 1u << 7;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr.slow_flags = VMEMCACHE_CREATE_CLOEXEC;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr.slow_flags = VMEMCACHE_CREATE_TIER;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr.slow_flags = VMEMCACHE_CREATE_DAX | VMEMCACHE_CREATE_FILE;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr.slow_flags = VMEMCACHE_CREATE_DAX | VMEMCACHE_CREATE_NUMA_NODE;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr = base;
	cr.slow_pad = 1;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	/* A DRAM slow tier of no size, or too small. */
	cr = base;
	cr.slow_size = 0;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr.slow_size = MIB - 1;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	/* An extent that does not fit the slow pool. */
	cr = base;
	cr.size = 4 * MIB;
	cr.extent_size = 2 * MIB;
	cr.slow_size = MIB;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	/* A descriptor without DAX or FILE, or a node without the flag. */
	cr = base;
	cr.slow_fd = notdev;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr = base;
	cr.slow_numa_node = 1;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	/* A slow descriptor of the wrong kind, or none. */
	cr = base;
	cr.slow_flags = VMEMCACHE_CREATE_DAX;
	cr.slow_size = 0;
	cr.slow_fd = 1000;
	ASSERT_EQ(-EBADF, create_raw(self->fd, &cr));
	cr.slow_fd = notdev;
	ASSERT_EQ(-ENOTBLK, create_raw(self->fd, &cr));
	cr.slow_flags = VMEMCACHE_CREATE_FILE;
	cr.slow_fd = self->fd;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	cr.slow_fd = 1000;
	ASSERT_EQ(-EBADF, create_raw(self->fd, &cr));
	/* Tiers need an evicting policy. */
	cr = base;
	cr.policy = VMEMCACHE_POLICY_NONE;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
	close(notdev);
}

TEST_F(tier, tier_stats_read_only_and_shared)
{
	struct vmemcache_tier_stats ts;
	struct vmemcache_stats st;
	int ro = open(vmc_dev_path(), O_RDONLY | O_CLOEXEC);
	uint8_t big[256];
	unsigned int i;

	ASSERT_LE(0, ro);
	ASSERT_EQ(0, tier_stats(ro, &ts));
	ASSERT_EQ(0, vmc_stats(ro, &st));
	ASSERT_EQ(1u, ts.nr_tiers);
	ASSERT_EQ(0u, ts.demotions);
	ASSERT_EQ(0u, ts.promotions);
	ASSERT_EQ(st.pool_size, ts.tier[0].pool_size);
	ASSERT_EQ(0u, ts.tier[1].pool_size);
	ASSERT_EQ(0u, ts.tier[1].entries);
	/* A newer program's larger struct: the tail is zeroed. */
	memset(big, 0xa5, sizeof(big));
	ASSERT_EQ(0, vmc_ioctl(ro, VMC_CMD(_IOC_READ, 0x0A, sizeof(big)), big));
	for (i = sizeof(ts); i < sizeof(big); i++) {
		ASSERT_EQ(0, big[i]) TH_LOG("byte %u", i);
	}
	/* A smaller one is refused. */
	ASSERT_EQ(-EINVAL, vmc_ioctl(ro, VMC_CMD(_IOC_READ, 0x0A,
						 sizeof(ts) - 8), big));
	/* Written, not read: a write-only direction is ENOTTY. */
	ASSERT_EQ(-ENOTTY, vmc_ioctl(ro, VMC_CMD(_IOC_WRITE, 0x0A,
						 sizeof(ts)), &ts));
	close(ro);
}

/* A slow tier bound to a NUMA node: node 0, which every guest has. */
TEST_F(tier, numa_node_slow_tier)
{
	struct vmemcache_create cr = {
		.size = FAST, .extent_size = VAL,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC | VMEMCACHE_CREATE_TIER,
		.slow_size = SLOW, .slow_flags = VMEMCACHE_CREATE_NUMA_NODE,
		.slow_numa_node = 0,
	};
	struct vmemcache_tier_stats ts;
	int fd, i;

	fd = ioctl(self->fd, VMEMCACHE_IOC_CREATE, &cr);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	for (i = 0; i < (int)FAST_VALS + 10; i++)
		ASSERT_EQ(0, put_i(fd, i));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(10u, ts.demotions);
	ASSERT_EQ(SLOW, ts.tier[1].pool_size);
	ASSERT_EQ(0, get_i(fd, 0));
	ASSERT_CONSISTENT(fd);
	close(fd);
	/* A node no node can have. */
	cr.slow_numa_node = 1 << 20;
	ASSERT_EQ(-EINVAL, create_raw(self->fd, &cr));
}

TEST_F(tier, pmem_slow_tier)
{
	struct vmemcache_tier_stats ts;
	int dev, fd, i;

	if (*vmc_backing())
		SKIP(return, "pmem pass: the shared cache holds " PMEM "; the DRAM pass runs this");
	dev = open(PMEM, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		SKIP(return, "no " PMEM " in this guest");
	fd = tier_create(self->fd, FAST, 0, VMEMCACHE_CREATE_DAX, dev);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	close(dev);
	for (i = 0; i < (int)FAST_VALS + 50; i++)
		ASSERT_EQ(0, put_i(fd, i));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(50u, ts.demotions);
	ASSERT_EQ(50u, ts.tier[1].entries);
	ASSERT_LE(SLOW, ts.tier[1].pool_size);
	for (i = 0; i < (int)FAST_VALS + 50; i++)
		ASSERT_EQ(0, get_i(fd, i)) TH_LOG("get %d", i);
	ASSERT_EQ(0, get_i(fd, 0));
	ASSERT_EQ(0, tier_stats(fd, &ts));
	ASSERT_EQ(51u, ts.tier[1].hits);
	ASSERT_EQ(1u, ts.promotions);
	ASSERT_EQ(0, get_i(fd, 0));
	ASSERT_CONSISTENT(fd);
	close(fd);
}

/*
 * The pmem driver unbound under a cache whose slow tier is the device:
 * the slow tier's entries fail with ENXIO as a private DAX cache's do,
 * the fast tier keeps serving, puts evict for real once nothing can be
 * demoted, and the descriptor still closes.  The namespace is bound
 * again whatever happened.
 */
TEST_F(tier, pmem_slow_tier_device_removal)
{
	char ns[256], key[32], buf[VAL];
	int dev, fd, i, ret;

	if (*vmc_backing())
		SKIP(return, "pmem pass: the shared cache holds " PMEM "; the DRAM pass runs this");
	dev = open(PMEM, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		SKIP(return, "no " PMEM " in this guest");
	ASSERT_EQ(0, vmc_pmem_namespace(ns, sizeof(ns)));
	fd = tier_create(self->fd, FAST, 0, VMEMCACHE_CREATE_DAX, dev);
	close(dev);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	for (i = 0; i < (int)FAST_VALS + 50; i++)
		ASSERT_EQ(0, put_i(fd, i));

	ret = vmc_write_file(VMC_ND_PMEM "unbind", ns);
	EXPECT_EQ(0, ret);
	if (!ret) {
		for (i = 0; i < 50; i++)
			EXPECT_EQ(-ENXIO, vmc_get(fd, key, key_of(key, i), buf,
						  VAL, 0, NULL, NULL))
				TH_LOG("slow key %d", i);
		for (i = 50; i < (int)FAST_VALS + 50; i++)
			EXPECT_EQ(0, get_i(fd, i)) TH_LOG("fast key %d", i);
		for (i = 0; i < 20; i++)
			EXPECT_EQ(0, put_i(fd, 10000 + i)) TH_LOG("put %d", i);
		EXPECT_EQ(0, get_i(fd, 10019));
	}
	EXPECT_EQ(0, close(fd));
	if (!ret)
		ASSERT_EQ(0, vmc_pmem_rebind(ns));
}

TEST_HARNESS_MAIN

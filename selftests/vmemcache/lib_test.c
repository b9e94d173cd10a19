// SPDX-License-Identifier: GPL-2.0
/*
 * libvmemcache-kdev against the real module: the libvmemcache 0.8 calls a
 * program makes (the README's example among them) with their return values
 * and errno, the statistics and the on_miss/on_evict callbacks, on each
 * kind of cache vmemcache_add() attaches to: the shared cache, a private
 * DRAM cache (a directory), a private cache on the DAX device (pmem
 * pass only) and one in a file in a directory on ext4 -o dax (DRAM pass
 * only, vmc_daxfs.h); then the private caches' own behaviour: evictions reported
 * to on_evict, many handles at once, fork, the 4-argument vmemcache_new,
 * the limit and the extensions.
 */
#include "vmc_daxfs.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include <libvmemcache.h>

FIXTURE(lib) {
	VMEMcache *cache;
	bool mounted;		/* the daxfs variant's filesystem */
};

FIXTURE_VARIANT(lib) {
	const char *kind;	/* "shared", "dram", "dax" or "daxfs" */
};

FIXTURE_VARIANT_ADD(lib, shared) { .kind = "shared" };
FIXTURE_VARIANT_ADD(lib, dram) { .kind = "dram" };
FIXTURE_VARIANT_ADD(lib, dax) { .kind = "dax" };
FIXTURE_VARIANT_ADD(lib, daxfs) { .kind = "daxfs" };

/* The path vmemcache_add() takes for the variant, or NULL to skip. */
static const char *variant_path(const char *kind)
{
	if (!strcmp(kind, "shared"))
		return vmc_dev_path();
	if (!strcmp(kind, "dram"))
		return "/tmp";
	if (!strcmp(kind, "daxfs"))
		return VMC_DAXFS;
	return *vmc_backing() ? vmc_backing() : NULL;
}

FIXTURE_SETUP(lib)
{
	const char *path = variant_path(variant->kind);
	uint64_t used = 1;
	const char *why;
	int ret;

	self->cache = NULL;
	self->mounted = false;
	ASSERT_EQ(0, vmc_restore_defaults());
	if (!path)
		SKIP(return, "DRAM pass: the DAX private cache runs in the pmem pass");
	if (!strcmp(variant->kind, "daxfs")) {
		ret = vmc_daxfs_mount(&self->mounted, &why);
		if (ret == -1)
			SKIP(return, "%s", why);
		ASSERT_EQ(0, ret) TH_LOG("%s", why);
	}
	/* The shared cache holds the DAX device in the pmem pass. */
	if (!strcmp(variant->kind, "dax"))
		ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	self->cache = vmemcache_new();
	ASSERT_NE(NULL, self->cache);
	ASSERT_EQ(0, vmemcache_add(self->cache, path))
		TH_LOG("%s", vmemcache_errormsg());
	/* In the file, not in DRAM: no DRAM pool is counted. */
	if (!strcmp(variant->kind, "daxfs")) {
		ASSERT_EQ(0, vmc_sysfs_read_u64("private_used", &used));
		ASSERT_EQ(0ULL, used);
	}
}

FIXTURE_TEARDOWN(lib)
{
	vmemcache_delete(self->cache);
	if (self->mounted)
		EXPECT_EQ(0, vmc_daxfs_umount());
	EXPECT_EQ(0, vmc_restore_defaults());
}

/* The tests of a skipped variant stop at once. */
#define NEED_CACHE() do { if (!self->cache) return; } while (0)

/* The README's example, step by step. */
TEST_F(lib, readme_example)
{
	const char *key = "foo";
	char buf[128];
	ssize_t len;

	NEED_CACHE();
	ASSERT_EQ(0, vmemcache_put(self->cache, key, strlen(key), "bar",
				   sizeof("bar")));
	len = vmemcache_get(self->cache, key, strlen(key), buf, sizeof(buf), 0,
			    NULL);
	ASSERT_EQ((ssize_t)sizeof("bar"), len);
	ASSERT_STREQ("bar", buf);
}

TEST_F(lib, errors_and_sizes)
{
	char buf[8];
	size_t vsize = 0;

	NEED_CACHE();
	ASSERT_EQ(0, vmemcache_put(self->cache, "k", 1, "0123456789", 10));
	ASSERT_EQ(-1, vmemcache_put(self->cache, "k", 1, "x", 1));
	ASSERT_EQ(EEXIST, errno);
	ASSERT_NE(0U, strlen(vmemcache_errormsg()));

	/* A short buffer gets the first bytes and learns the whole size. */
	ASSERT_EQ(8, vmemcache_get(self->cache, "k", 1, buf, sizeof(buf), 0,
				   &vsize));
	ASSERT_EQ(10U, vsize);
	ASSERT_EQ(0, memcmp(buf, "01234567", 8));
	ASSERT_EQ(2, vmemcache_get(self->cache, "k", 1, buf, sizeof(buf), 8,
				   &vsize));
	ASSERT_EQ(0, memcmp(buf, "89", 2));
	/* A NULL buffer learns the size, as in libvmemcache. */
	vsize = 0;
	ASSERT_EQ(0, vmemcache_get(self->cache, "k", 1, NULL, 100, 0, &vsize));
	ASSERT_EQ(10U, vsize);
	/* At or past the end: nothing copied, no error. */
	ASSERT_EQ(0, vmemcache_get(self->cache, "k", 1, buf, sizeof(buf), 10,
				   &vsize));

	ASSERT_EQ(1, vmemcache_exists(self->cache, "k", 1, &vsize));
	ASSERT_EQ(10U, vsize);
	ASSERT_EQ(0, vmemcache_exists(self->cache, "nope", 4, &vsize));

	ASSERT_EQ(-1, vmemcache_get(self->cache, "nope", 4, buf, sizeof(buf),
				    0, NULL));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, vmemcache_evict(self->cache, "k", 1));
	ASSERT_EQ(-1, vmemcache_evict(self->cache, "k", 1));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, vmemcache_evict(self->cache, NULL, 0));
	ASSERT_EQ(ESRCH, errno);
	ASSERT_EQ(-1, vmemcache_put(self->cache, "", 0, "x", 1));
	ASSERT_EQ(EINVAL, errno);

	/* The configuration of an attached cache is fixed. */
	ASSERT_EQ(-1, vmemcache_set_size(self->cache, 2 << 20));
	ASSERT_EQ(EALREADY, errno);
	ASSERT_EQ(-1, vmemcache_set_extent_size(self->cache, 512));
	ASSERT_EQ(EALREADY, errno);
	ASSERT_EQ(-1, vmemcache_set_eviction_policy(self->cache,
						    VMEMCACHE_REPLACEMENT_NONE));
	ASSERT_EQ(EALREADY, errno);
	ASSERT_EQ(-1, vmemcache_add(self->cache, "/tmp"));
	ASSERT_EQ(EBUSY, errno);
}

TEST_F(lib, put_flags)
{
	char buf[4];

	NEED_CACHE();
	ASSERT_EQ(0, vmemcache_put(self->cache, "r", 1, "old", 3));
	ASSERT_EQ(-1, vmemcache_put_flags(self->cache, "r", 1, "abc", 3,
					  VMEMCACHE_PUT_IF_ABSENT));
	ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, vmemcache_put_flags(self->cache, "r", 1, "new", 3,
					 VMEMCACHE_PUT_REPLACE));
	ASSERT_EQ(3, vmemcache_get(self->cache, "r", 1, buf, 3, 0, NULL));
	ASSERT_EQ(0, memcmp(buf, "new", 3));
	ASSERT_EQ(-1, vmemcache_put_flags(self->cache, "r", 1, "x", 1, 0x80));
	ASSERT_EQ(EINVAL, errno);
}

/* put_ex, get_ex and touch: flags, CAS and expiry through the library. */
TEST_F(lib, item_meta)
{
	struct vmemcache_meta in = { .client_flags = 0xabcd1234 }, out;
	struct timespec ts;
	uint64_t cas;
	char buf[4];

	NEED_CACHE();
	clock_gettime(CLOCK_BOOTTIME, &ts);
	in.expiry = (uint32_t)ts.tv_sec + 1000;
	ASSERT_EQ(0, vmemcache_put_ex(self->cache, "m", 1, "one", 3, &in));
	ASSERT_EQ(3, vmemcache_get_ex(self->cache, "m", 1, buf, sizeof(buf),
				      0, NULL, &out));
	ASSERT_EQ(0, memcmp(buf, "one", 3));
	ASSERT_EQ(0xabcd1234u, out.client_flags);
	ASSERT_EQ(in.expiry, out.expiry);
	ASSERT_NE(0u, out.cas);
	cas = out.cas;
	/* a version that changed, then the right one */
	in = (struct vmemcache_meta){ .flags = VMEMCACHE_PUT_CAS,
				      .cas = cas + 1 };
	ASSERT_EQ(-1, vmemcache_put_ex(self->cache, "m", 1, "two", 3, &in));
	ASSERT_EQ(EEXIST, errno);
	in.cas = cas;
	ASSERT_EQ(0, vmemcache_put_ex(self->cache, "m", 1, "two", 3, &in));
	ASSERT_EQ(3, vmemcache_get_ex(self->cache, "m", 1, buf, sizeof(buf),
				      0, NULL, &out));
	ASSERT_EQ(0, memcmp(buf, "two", 3));
	ASSERT_NE(cas, out.cas);
	ASSERT_EQ(0u, out.expiry);
	in = (struct vmemcache_meta){ .flags = VMEMCACHE_PUT_PRESENT };
	ASSERT_EQ(-1, vmemcache_put_ex(self->cache, "absent", 6, "x", 1, &in));
	ASSERT_EQ(ENOENT, errno);
	/* a touch into the past expires it */
	ASSERT_EQ(0, vmemcache_touch(self->cache, "m", 1, 1));
	ASSERT_EQ(0, vmemcache_exists(self->cache, "m", 1, NULL));
	ASSERT_EQ(-1, vmemcache_touch(self->cache, "m", 1, 0));
	ASSERT_EQ(ENOENT, errno);
}

TEST_F(lib, get_exact)
{
	char buf[16];
	size_t vsize = 0;

	NEED_CACHE();
	ASSERT_EQ(0, vmemcache_put(self->cache, "e", 1, "0123456789", 10));
	ASSERT_EQ(-1, vmemcache_get_exact(self->cache, "e", 1, buf, 4, &vsize));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(10U, vsize);
	ASSERT_EQ(10, vmemcache_get_exact(self->cache, "e", 1, buf, vsize,
					  &vsize));
	ASSERT_EQ(0, memcmp(buf, "0123456789", 10));
	ASSERT_EQ(-1, vmemcache_get_exact(self->cache, "none", 4, buf,
					  sizeof(buf), &vsize));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, vmemcache_get_exact(self->cache, "e", 1, buf,
					  sizeof(buf), NULL));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(lib, statistics)
{
	size_t puts, gets, hits, misses, evicts, entries, pool, dram, heap;
	bool private = strcmp(variant->kind, "shared");
	char buf[300] = { 0 };

	NEED_CACHE();
	ASSERT_EQ(0, vmemcache_put(self->cache, "a", 1, buf, 300));
	ASSERT_EQ(0, vmemcache_put(self->cache, "b", 1, buf, 10));
	ASSERT_EQ(300, vmemcache_get(self->cache, "a", 1, buf, 300, 0, NULL));
	ASSERT_EQ(-1, vmemcache_get(self->cache, "c", 1, buf, 300, 0, NULL));
	ASSERT_EQ(0, vmemcache_evict(self->cache, "b", 1));

#define STAT(s, v) ASSERT_EQ(0, vmemcache_get_stat(self->cache, s, &v, sizeof(v)))
	STAT(VMEMCACHE_STAT_PUT, puts);
	STAT(VMEMCACHE_STAT_GET, gets);
	STAT(VMEMCACHE_STAT_HIT, hits);
	STAT(VMEMCACHE_STAT_MISS, misses);
	STAT(VMEMCACHE_STAT_EVICT, evicts);
	STAT(VMEMCACHE_STAT_ENTRIES, entries);
	STAT(VMEMCACHE_STAT_POOL_SIZE_USED, pool);
	STAT(VMEMCACHE_STAT_DRAM_SIZE_USED, dram);
	STAT(VMEMCACHE_STAT_HEAP_ENTRIES, heap);
#undef STAT
	ASSERT_EQ(gets, hits + misses);
	/*
	 * A private cache's counters are its own, from zero; on the shared
	 * cache get_stat counts what this handle did.
	 */
	ASSERT_EQ(2U, puts);
	ASSERT_EQ(2U, gets);
	ASSERT_EQ(1U, hits);
	ASSERT_EQ(1U, misses);
	ASSERT_EQ(1U, evicts);
	if (!private) {
		struct vmemcache_stats st;

		/* get_stats: the whole cache's, since the module loaded. */
		ASSERT_EQ(0, vmemcache_get_stats(self->cache, &st));
		ASSERT_LE(2U, st.puts);
		ASSERT_LE(1U, st.misses);
	}
	ASSERT_EQ(1U, entries);
	ASSERT_EQ(2 * 256U, pool);
	ASSERT_LE(64U + 1, dram);	/* an entry and its key */
	ASSERT_EQ(1U, heap);
	ASSERT_EQ(-1, vmemcache_get_stat(self->cache, VMEMCACHE_STAT_PUT,
					 &puts, 4));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, vmemcache_get_stat(self->cache, VMEMCACHE_STATS_NUM,
					 &puts, sizeof(puts)));
	ASSERT_EQ(EINVAL, errno);
}

static void fill_on_miss(VMEMcache *cache, const void *key, size_t ksize,
			 void *arg)
{
	(*(int *)arg)++;
	vmemcache_put(cache, key, ksize, "filled", 6);
}

/*
 * Counts calls; the evicted entry still exists for the callback, as in
 * libvmemcache.
 */
struct evicts {
	int calls;
	int not_there;
	size_t bytes;
	char last[64];
};

static void count_evict(VMEMcache *cache, const void *key, size_t ksize,
			void *arg)
{
	struct evicts *ev = arg;

	ev->calls++;
	if (vmemcache_exists(cache, key, ksize, NULL) != 1)
		ev->not_there++;
	snprintf(ev->last, sizeof(ev->last), "%.*s", (int)ksize,
		 (const char *)key);
}

static void count_evict_ex(VMEMcache *cache, const void *key, size_t ksize,
			   size_t vsize, void *arg)
{
	struct evicts *ev = arg;

	count_evict(cache, key, ksize, arg);
	ev->bytes += vsize;
}

TEST_F(lib, callbacks)
{
	struct evicts ev = { 0 };
	int misses = 0;
	char buf[8];

	NEED_CACHE();
	ASSERT_EQ(0, vmc_pin_one_cpu());
	vmemcache_callback_on_miss(self->cache, fill_on_miss, &misses);
	vmemcache_callback_on_evict(self->cache, count_evict, &ev);
	ASSERT_EQ(6, vmemcache_get(self->cache, "m", 1, buf, sizeof(buf), 0,
				   NULL));
	ASSERT_EQ(1, misses);
	ASSERT_EQ(0, memcmp(buf, "filled", 6));
	ASSERT_EQ(6, vmemcache_get(self->cache, "m", 1, buf, sizeof(buf), 0,
				   NULL));
	ASSERT_EQ(1, misses);

	/* A named evict, then the LRU entry. */
	ASSERT_EQ(0, vmemcache_evict(self->cache, "m", 1));
	ASSERT_EQ(1, ev.calls);
	ASSERT_STREQ("m", ev.last);
	ASSERT_EQ(0, vmemcache_put(self->cache, "old", 3, "1", 1));
	ASSERT_EQ(0, vmemcache_put(self->cache, "new", 3, "2", 1));
	ASSERT_EQ(0, vmemcache_evict(self->cache, NULL, 0));
	ASSERT_EQ(2, ev.calls);
	ASSERT_STREQ("old", ev.last);
	ASSERT_EQ(0, ev.not_there);

	/* Without the callback, on request. */
	ASSERT_EQ(0, vmemcache_evict_flags(self->cache, "new", 3,
					   VMEMCACHE_EVICT_NO_CALLBACK));
	ASSERT_EQ(2, ev.calls);
	ASSERT_EQ(-1, vmemcache_evict_flags(self->cache, "new", 3, 2));
	ASSERT_EQ(EINVAL, errno);

	/* The extended callback gets the value size. */
	vmemcache_callback_on_evict_ex(self->cache, count_evict_ex, &ev);
	ASSERT_EQ(0, vmemcache_put(self->cache, "sized", 5, "12345", 5));
	ASSERT_EQ(0, vmemcache_evict(self->cache, "sized", 5));
	ASSERT_EQ(3, ev.calls);
	ASSERT_EQ(5U, ev.bytes);

	/* A miss callback that does not put: ENOENT. */
	vmemcache_callback_on_miss(self->cache, NULL, NULL);
	ASSERT_EQ(-1, vmemcache_get(self->cache, "m", 1, buf, sizeof(buf), 0,
				    NULL));
	ASSERT_EQ(ENOENT, errno);
}

/* A second handle's traffic on the same cache is not the first's. */
TEST_F(lib, stats_per_handle)
{
	size_t puts = 0, gets = 0;
	VMEMcache *other;
	char buf[4];

	NEED_CACHE();
	if (strcmp(variant->kind, "shared"))
		SKIP(return, "a private cache has one handle");
	other = vmemcache_new();
	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, vmemcache_add(other, vmc_dev_path()));
	ASSERT_EQ(0, vmemcache_put(other, "o", 1, "1", 1));
	ASSERT_EQ(1, vmemcache_get(other, "o", 1, buf, sizeof(buf), 0, NULL));
	ASSERT_EQ(0, vmemcache_get_stat(self->cache, VMEMCACHE_STAT_PUT, &puts,
					sizeof(puts)));
	ASSERT_EQ(0, vmemcache_get_stat(self->cache, VMEMCACHE_STAT_GET, &gets,
					sizeof(gets)));
	ASSERT_EQ(0U, puts);
	ASSERT_EQ(0U, gets);
	ASSERT_EQ(0, vmemcache_get_stat(other, VMEMCACHE_STAT_PUT, &puts,
					sizeof(puts)));
	ASSERT_EQ(1U, puts);
	vmemcache_delete(other);
}

/*
 * A miss that on_miss fills counts as libvmemcache counts it: one get, a
 * miss, no hit (no second lookup), and the put.
 */
TEST_F(lib, on_miss_counting)
{
	size_t puts = 0, gets = 0, hits = 0, misses = 0, vsize = 0;
	struct vmemcache_stats st0, st1;
	int calls = 0;
	char buf[8];

	NEED_CACHE();
	vmemcache_callback_on_miss(self->cache, fill_on_miss, &calls);
	ASSERT_EQ(0, vmemcache_get_stats(self->cache, &st0));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(3, vmemcache_get(self->cache, "miss", 4, buf, 3, 2, &vsize));
	ASSERT_EQ(1, calls);
	ASSERT_EQ(6U, vsize);
	ASSERT_EQ(0, memcmp(buf, "lle", 3));
#define STAT(s, v) ASSERT_EQ(0, vmemcache_get_stat(self->cache, s, &v, sizeof(v)))
	STAT(VMEMCACHE_STAT_PUT, puts);
	STAT(VMEMCACHE_STAT_GET, gets);
	STAT(VMEMCACHE_STAT_HIT, hits);
	STAT(VMEMCACHE_STAT_MISS, misses);
#undef STAT
	ASSERT_EQ(1U, puts);
	ASSERT_EQ(1U, gets);
	ASSERT_EQ(0U, hits);
	ASSERT_EQ(1U, misses);
	if (strcmp(variant->kind, "shared")) {
		/* The kernel itself saw one get. */
		ASSERT_EQ(0, vmemcache_get_stats(self->cache, &st1));
		ASSERT_EQ(1U, st1.gets - st0.gets);
		ASSERT_EQ(1U, st1.misses - st0.misses);
	}
	ASSERT_EQ(6, vmemcache_get(self->cache, "miss", 4, buf, sizeof(buf), 0,
				   NULL));
	ASSERT_EQ(1, calls);
}

#define FILL_THREADS	10
/* A 1 MiB pool holds five: a new entry soon goes. */
#define FILL_VSIZE	(192 << 10)

struct fill_thread {
	VMEMcache *cache;
	unsigned int id;
	unsigned int gets;
	unsigned int misses;	/* gets that failed */
	unsigned int bad;	/* gets with a wrong value */
};

/* on_miss: the value of key "t<thread>-<n>" is its pattern. */
static void fill_pattern(VMEMcache *cache, const void *key, size_t ksize,
			 void *arg)
{
	uint8_t *val = malloc(FILL_VSIZE);
	char k[32];

	(void)arg;
	if (!val)
		return;
	snprintf(k, sizeof(k), "%.*s", (int)ksize, (const char *)key);
	vmc_fill(val, FILL_VSIZE, vmc_mix64(strtoull(k + 1, NULL, 10) * 1000003 +
					     strtoull(strchr(k, '-') + 1, NULL, 10)));
	vmemcache_put(cache, key, ksize, val, FILL_VSIZE);
	free(val);
}

static void *fill_worker(void *arg)
{
	uint8_t *buf = malloc(FILL_VSIZE);
	struct fill_thread *t = arg;
	unsigned int i;
	char key[32];

	if (!buf)
		return NULL;
	for (i = 0; i < t->gets; i++) {
		int len = snprintf(key, sizeof(key), "t%u-%u", t->id, i);
		ssize_t n = vmemcache_get(t->cache, key, (size_t)len, buf,
					  FILL_VSIZE, 0, NULL);

		if (n != FILL_VSIZE)
			t->misses++;
		else if (vmc_check(buf, FILL_VSIZE,
				   vmc_mix64(t->id * 1000003ULL + i)) >= 0)
			t->bad++;
	}
	free(buf);
	return NULL;
}

/*
 * 10 threads get keys nobody put, under eviction pressure (the cache holds
 * a fraction of what they fill): on_miss fills each, and no get misses,
 * for the put serves the get that missed.  Looking the key up again could
 * miss an entry another thread's put evicted meanwhile.
 */
TEST_F(lib, on_miss_fills_never_miss)
{
	struct fill_thread t[FILL_THREADS];
	pthread_t tid[FILL_THREADS];
	struct vmemcache_stats st;
	size_t evicts = 0;
	unsigned int per_thread, i;

	NEED_CACHE();
	if (!strcmp(variant->kind, "shared"))
		ASSERT_EQ(0, vmc_config(1 << 20, 256, "lru"));
	if (!strcmp(variant->kind, "dax")) {
		/* The whole device is too large to press: 2 MiB of it. */
		vmemcache_delete(self->cache);
		self->cache = vmemcache_new();
		ASSERT_NE(NULL, self->cache);
		ASSERT_EQ(0, vmemcache_set_size(self->cache, 2 << 20));
		ASSERT_EQ(0, vmemcache_add(self->cache, vmc_backing()))
			TH_LOG("%s", vmemcache_errormsg());
	}
	ASSERT_EQ(0, vmemcache_get_stats(self->cache, &st));
	per_thread = (unsigned int)(2 * st.pool_size / FILL_VSIZE /
				    FILL_THREADS) + 40;
	if (per_thread > 200)
		SKIP(return, "pool of %llu bytes: too large to press",
		     (unsigned long long)st.pool_size);
	vmemcache_callback_on_miss(self->cache, fill_pattern, NULL);
	for (i = 0; i < FILL_THREADS; i++) {
		t[i] = (struct fill_thread){ .cache = self->cache, .id = i,
					     .gets = per_thread };
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, fill_worker, &t[i]));
	}
	for (i = 0; i < FILL_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
		EXPECT_EQ(0U, t[i].misses) TH_LOG("thread %u", i);
		EXPECT_EQ(0U, t[i].bad) TH_LOG("thread %u", i);
	}
	ASSERT_EQ(0, vmemcache_get_stat(self->cache, VMEMCACHE_STAT_EVICT,
					&evicts, sizeof(evicts)));
	ASSERT_LT(0U, evicts) TH_LOG("no eviction pressure");
}

/* libvmemcache's benchmark hooks. */
TEST_F(lib, bench_set)
{
	char buf[8] = "xxxxxxx";
	size_t vsize = 0;

	NEED_CACHE();
	ASSERT_EQ(0, vmemcache_put(self->cache, "b", 1, "0123456789", 10));
	vmemcache_bench_set(self->cache, VMEMCACHE_BENCH_NO_MEMCPY, 1);
	/* The count a copy would have made, and no copy. */
	ASSERT_EQ(6, vmemcache_get(self->cache, "b", 1, buf, 6, 4, &vsize));
	ASSERT_EQ(10U, vsize);
	ASSERT_STREQ("xxxxxxx", buf);
	vmemcache_bench_set(self->cache, VMEMCACHE_BENCH_NO_MEMCPY, 0);
	ASSERT_EQ(6, vmemcache_get(self->cache, "b", 1, buf, 6, 4, NULL));
	ASSERT_EQ(0, memcmp(buf, "456789", 6));
	vmemcache_bench_set(self->cache, VMEMCACHE_BENCH_PREFAULT, 1);
	errno = 0;
	vmemcache_bench_set(self->cache, VMEMCACHE_BENCH_INDEX_ONLY, 0);
	ASSERT_EQ(0, errno);
	vmemcache_bench_set(self->cache, VMEMCACHE_BENCH_INDEX_ONLY, 1);
	ASSERT_EQ(ENOTSUP, errno);
	ASSERT_NE(NULL, strstr(vmemcache_errormsg(),
			       "VMEMCACHE_BENCH_INDEX_ONLY"));
	vmemcache_bench_set(self->cache, (enum vmemcache_bench_cfg)7, 1);
	ASSERT_EQ(EINVAL, errno);
	ASSERT_STREQ("invalid config parameter: 7", vmemcache_errormsg());
	/* Nothing changed: the value is intact. */
	ASSERT_EQ(10, vmemcache_get(self->cache, "b", 1, buf, 8, 0, NULL) + 2);
	ASSERT_EQ(VMEMCACHE_MAJOR_VERSION, 0);
	ASSERT_EQ(VMEMCACHE_MINOR_VERSION, 8);
}

struct listing {
	int keys;
	size_t bytes;
	int stop_after;
};

static int count_key(VMEMcache *cache, const void *key, size_t ksize,
		     size_t vsize, void *arg)
{
	struct listing *l = arg;

	l->keys++;
	l->bytes += vsize;
	return l->stop_after && l->keys == l->stop_after ? 42 : 0;
}

TEST_F(lib, prefix_and_list)
{
	struct listing all = { 0 }, odd = { 0 }, stop = { .stop_after = 3 };
	struct evicts ev = { 0 };
	char key[32];
	int i;

	NEED_CACHE();
	for (i = 0; i < 200; i++) {
		vmc_key(key, sizeof(key), i % 2 ? "odd/" : "even/", i);
		ASSERT_EQ(0, vmemcache_put(self->cache, key, strlen(key), key,
					   1 + i % 2));
	}
	ASSERT_EQ(0, vmemcache_list(self->cache, NULL, 0, count_key, &all));
	ASSERT_EQ(200, all.keys);
	ASSERT_EQ(300U, all.bytes);
	ASSERT_EQ(0, vmemcache_list(self->cache, "odd/", 4, count_key, &odd));
	ASSERT_EQ(100, odd.keys);
	ASSERT_EQ(200U, odd.bytes);
	ASSERT_EQ(42, vmemcache_list(self->cache, NULL, 0, count_key, &stop));
	ASSERT_EQ(3, stop.keys);
	ASSERT_EQ(-1, vmemcache_list(self->cache, NULL, 0, NULL, NULL));
	ASSERT_EQ(EINVAL, errno);

	vmemcache_callback_on_evict_ex(self->cache, count_evict_ex, &ev);
	ASSERT_EQ(100, vmemcache_evict_prefix(self->cache, "odd/", 4, 0));
	ASSERT_EQ(100, ev.calls);
	ASSERT_EQ(200U, ev.bytes);
	ASSERT_EQ(0, ev.not_there);
	ASSERT_EQ(0, vmemcache_evict_prefix(self->cache, "odd/", 4, 0));
	/* even/10..18 and even/100..198 */
	ASSERT_EQ(55, vmemcache_evict_prefix(self->cache, "even/1", 6,
					     VMEMCACHE_EVICT_NO_CALLBACK));
	ASSERT_EQ(100, ev.calls);
	ASSERT_EQ(-1, vmemcache_evict_prefix(self->cache, "", 0, 0));
	ASSERT_EQ(EINVAL, errno);
	memset(&all, 0, sizeof(all));
	ASSERT_EQ(0, vmemcache_list(self->cache, NULL, 0, count_key, &all));
	ASSERT_EQ(45, all.keys);
}

TEST_F(lib, batch)
{
	struct vmemcache_batch_item it[3000];
	struct evicts ev = { 0 };
	static char keys[3000][16];
	char out[8];
	size_t i;

	NEED_CACHE();
	vmemcache_callback_on_evict(self->cache, count_evict, &ev);
	memset(it, 0, sizeof(it));
	/* More items than one call takes: split by the library. */
	for (i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "b%zu", i);
		it[i].op = VMEMCACHE_BATCH_PUT;
		it[i].key = (uintptr_t)keys[i];
		it[i].key_len = (__u32)strlen(keys[i]);
		it[i].buf = (uintptr_t)keys[i];
		it[i].len = it[i].key_len;
	}
	ASSERT_EQ(0, vmemcache_batch(self->cache, it, 3000));
	for (i = 0; i < 3000; i++)
		ASSERT_EQ(0, it[i].result) TH_LOG("item %zu", i);
	memset(it, 0, 3 * sizeof(it[0]));
	it[0].op = VMEMCACHE_BATCH_GET;
	it[0].key = (uintptr_t)"b42";
	it[0].key_len = 3;
	it[0].buf = (uintptr_t)out;
	it[0].len = sizeof(out);
	it[1].op = VMEMCACHE_BATCH_EVICT;
	it[1].key = (uintptr_t)"b43";
	it[1].key_len = 3;
	it[2].op = VMEMCACHE_BATCH_GET;
	it[2].key = (uintptr_t)"b43";
	it[2].key_len = 3;
	ASSERT_EQ(0, vmemcache_batch(self->cache, it, 3));
	ASSERT_EQ(0, it[0].result);
	ASSERT_EQ(3U, it[0].copied);
	ASSERT_EQ(0, memcmp(out, "b42", 3));
	ASSERT_EQ(0, it[1].result);
	ASSERT_EQ(-ENOENT, it[2].result);
	ASSERT_EQ(1, ev.calls);
	ASSERT_STREQ("b43", ev.last);
	ASSERT_EQ(0, vmemcache_batch(self->cache, it, 0));
	ASSERT_EQ(-1, vmemcache_batch(self->cache, NULL, 1));
	ASSERT_EQ(EINVAL, errno);
}

/*
 * Gets of a private DRAM cache are served from its mapping: the readers'
 * hit counter there counts them, single and batched, with the kernel's
 * answers for what the mapping cannot answer mixed in; VMEMCACHE_NO_MAP
 * turns it off.
 */
static uint64_t map_hits(struct __test_metadata *_metadata, VMEMcache *c)
{
	struct vmemcache_map_info info;
	struct vmemcache_map_state *st;
	uint64_t hits;
	int fd = vmemcache_fd(c);

	if (ioctl(fd, VMEMCACHE_IOC_MAP_INFO, &info))
		return UINT64_MAX;	/* not mapped */
	st = mmap(NULL, info.state_size, PROT_READ, MAP_SHARED, fd,
		  VMEMCACHE_MAP_OFF_STATE);
	EXPECT_NE(MAP_FAILED, st);
	if (st == MAP_FAILED)
		return 0;
	hits = st->hits;
	munmap(st, info.state_size);
	return hits;
}

TEST_F(lib, gets_from_the_mapping)
{
	struct vmemcache_batch_item it[100];
	static char keys[100][16];
	char out[100][16], buf[16];
	uint64_t h0, h1;
	size_t i, vsize;
	VMEMcache *c;
	int pass;

	NEED_CACHE();
	if (strcmp(variant->kind, "dram"))
		SKIP(return, "only a private DRAM cache is mapped");
	h0 = map_hits(_metadata, self->cache);
	ASSERT_NE(UINT64_MAX, h0) TH_LOG("the cache is not mapped");
	for (i = 0; i < 100; i += 2) {
		snprintf(keys[i], sizeof(keys[i]), "m%zu", i);
		ASSERT_EQ(0, vmemcache_put(self->cache, keys[i],
					   strlen(keys[i]), keys[i],
					   strlen(keys[i])));
	}
	/* A key's first get is the kernel's, which gives it a slot. */
	ASSERT_EQ(2, vmemcache_get(self->cache, "m0", 2, buf, sizeof(buf), 0,
				   &vsize));
	EXPECT_EQ(h0, map_hits(_metadata, self->cache));
	ASSERT_EQ(2, vmemcache_get(self->cache, "m0", 2, buf, sizeof(buf), 0,
				   &vsize));
	ASSERT_EQ(2u, vsize);
	ASSERT_EQ(0, memcmp(buf, "m0", 2));
	ASSERT_EQ(-1, vmemcache_get(self->cache, "m1", 2, buf, sizeof(buf), 0,
				    &vsize));
	ASSERT_EQ(ENOENT, errno);
	/* An offset within the value, from the mapping too. */
	for (i = 0; i < 2; i++) {
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(2, vmemcache_get(self->cache, "m10", 3, buf,
					   sizeof(buf), 1, &vsize));
		ASSERT_EQ(0, memcmp(buf, "10", 2));
	}
	h1 = map_hits(_metadata, self->cache);
	EXPECT_EQ(h0 + 2, h1);

	/*
	 * A batch of gets, every other key missing, twice: the kernel
	 * answers the first for most keys, the mapping the second.
	 */
	for (pass = 0; pass < 2; pass++) {
		memset(it, 0, sizeof(it));
		memset(out, 0, sizeof(out));
		for (i = 0; i < 100; i++) {
			snprintf(keys[i], sizeof(keys[i]), "m%zu", i);
			it[i].op = VMEMCACHE_BATCH_GET;
			it[i].key = (uintptr_t)keys[i];
			it[i].key_len = (__u32)strlen(keys[i]);
			it[i].buf = (uintptr_t)out[i];
			it[i].len = sizeof(out[i]);
		}
		ASSERT_EQ(0, vmemcache_batch(self->cache, it, 100));
		for (i = 0; i < 100; i++) {
			if (i % 2) {
				ASSERT_EQ(-ENOENT, it[i].result)
					TH_LOG("item %zu", i);
				continue;
			}
			ASSERT_EQ(0, it[i].result) TH_LOG("item %zu", i);
			ASSERT_EQ(strlen(keys[i]), it[i].value_size);
			ASSERT_EQ(strlen(keys[i]), it[i].copied);
			ASSERT_EQ(0, memcmp(out[i], keys[i], it[i].copied));
		}
	}
	/* m0 and m10 in the first pass, most of the 50 in the second. */
	EXPECT_LE(h1 + 2 + 40, map_hits(_metadata, self->cache));

	/* Off: every get is the kernel's. */
	setenv("VMEMCACHE_NO_MAP", "1", 1);
	c = vmemcache_new();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_add(c, "/tmp"));
	unsetenv("VMEMCACHE_NO_MAP");
	EXPECT_EQ(UINT64_MAX, map_hits(_metadata, c));
	ASSERT_EQ(0, vmemcache_put(c, "k", 1, "v", 1));
	ASSERT_EQ(1, vmemcache_get(c, "k", 1, buf, sizeof(buf), 0, NULL));
	vmemcache_delete(c);
}

/* ------------------------------------- on_evict reads the evicted value */

/*
 * The value of key "ev-<i>": a length and bytes that depend on i, so that
 * a value read for the wrong key or a truncated one is seen.
 */
static size_t pat_len(unsigned int i)
{
	return 200 + (i * 977) % 6000;
}

static void pat_fill(uint8_t *v, unsigned int i)
{
	size_t k, n = pat_len(i);

	for (k = 0; k < n; k++)
		v[k] = (uint8_t)(i * 31 + k * 7 + (k >> 8));
}

static int pat_equal(const uint8_t *v, size_t n, unsigned int i)
{
	uint8_t want[8192];

	if (n != pat_len(i))
		return 0;
	pat_fill(want, i);
	return !memcmp(v, want, n);
}

static int put_pat(VMEMcache *c, unsigned int i, unsigned int flags)
{
	uint8_t v[8192];
	char key[32];

	pat_fill(v, i);
	vmc_key(key, sizeof(key), "ev-", i);
	return vmemcache_put_flags(c, key, strlen(key), v, pat_len(i), flags);
}

/* What an on_evict that reads the evicted value saw. */
struct reads {
	int calls;
	int exact;		/* the get returned the key's value, whole */
	int exists;		/* vmemcache_exists() said 1, with the size */
	int others_ok;		/* other keys behaved as outside the callback */
	int demoted;		/* put into @next */
	VMEMcache *next;	/* a second-level cache, or NULL */
};

static void read_evicted(VMEMcache *cache, const void *key, size_t ksize,
			 void *arg)
{
	struct reads *r = arg;
	uint8_t v[8192], small[16];
	size_t vsize = 0, esize = 0;
	char name[64];
	unsigned int i;
	ssize_t n;

	r->calls++;
	snprintf(name, sizeof(name), "%.*s", (int)ksize, (const char *)key);
	if (sscanf(name, "ev-%u", &i) != 1)
		return;
	n = vmemcache_get(cache, key, ksize, v, sizeof(v), 0, &vsize);
	if (n >= 0 && (size_t)n == vsize && pat_equal(v, vsize, i))
		r->exact++;
	/* A part of it, from an offset. */
	n = vmemcache_get(cache, key, ksize, small, sizeof(small), 100, NULL);
	if (n == sizeof(small) && !memcmp(small, v + 100, sizeof(small)) &&
	    vmemcache_exists(cache, key, ksize, &esize) == 1 && esize == vsize)
		r->exists++;
	if (vmemcache_get(cache, "ev-absent", 9, v, sizeof(v), 0, NULL) == -1 &&
	    errno == ENOENT &&
	    vmemcache_exists(cache, "ev-absent", 9, NULL) == 0)
		r->others_ok++;
	if (r->next && vsize &&
	    !vmemcache_put(r->next, key, ksize, v, vsize))
		r->demoted++;
}

/* A get of the key vmemcache_evict() removes, from on_evict: its bytes. */
TEST_F(lib, on_evict_reads_evicted_value)
{
	struct reads r = { 0 };
	uint8_t v[8192];

	NEED_CACHE();
	vmemcache_evict(self->cache, "ev-1", 4);
	vmemcache_evict(self->cache, "ev-2", 4);
	ASSERT_EQ(0, put_pat(self->cache, 1, 0));
	ASSERT_EQ(0, put_pat(self->cache, 2, 0));
	vmemcache_callback_on_evict(self->cache, read_evicted, &r);
	ASSERT_EQ(0, vmemcache_evict(self->cache, "ev-1", 4));
	ASSERT_EQ(1, r.calls);
	ASSERT_EQ(1, r.exact);
	ASSERT_EQ(1, r.exists);
	ASSERT_EQ(1, r.others_ok);
	/* Gone once the callback returned; the other key is untouched. */
	ASSERT_EQ(-1, vmemcache_get(self->cache, "ev-1", 4, v, sizeof(v), 0,
				    NULL));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ((ssize_t)pat_len(2),
		  vmemcache_get(self->cache, "ev-2", 4, v, sizeof(v), 0, NULL));
	ASSERT_EQ(0, vmemcache_evict(self->cache, "ev-2", 4));
	ASSERT_EQ(2, r.exact);
}

/* A put that replaces a value reports the old one, readable in on_evict. */
TEST_F(lib, on_evict_reads_replaced_value)
{
	struct reads r = { 0 };
	uint8_t v[8192], want[8192];
	size_t vsize = 0;
	char key[32];

	NEED_CACHE();
	vmc_key(key, sizeof(key), "ev-", 5);
	vmemcache_evict(self->cache, key, strlen(key));
	ASSERT_EQ(0, put_pat(self->cache, 5, 0));
	vmemcache_callback_on_evict(self->cache, read_evicted, &r);
	/* Key ev-5, with the value of ev-6. */
	pat_fill(want, 6);
	ASSERT_EQ(0, vmemcache_put_flags(self->cache, key, strlen(key), want,
					 pat_len(6), VMEMCACHE_PUT_REPLACE));
	ASSERT_EQ(1, r.calls);
	ASSERT_EQ(1, r.exact);	/* the old value, ev-5's */
	ASSERT_EQ(1, r.exists);
	ASSERT_EQ((ssize_t)pat_len(6),
		  vmemcache_get(self->cache, key, strlen(key), v, sizeof(v), 0,
				&vsize));
	ASSERT_EQ(0, memcmp(v, want, vsize));
	vmemcache_evict_flags(self->cache, key, strlen(key),
			      VMEMCACHE_EVICT_NO_CALLBACK);
}


/* ------------------------------------------------- private caches only */

FIXTURE(libpriv) {
	int unused;
};

FIXTURE_SETUP(libpriv)
{
	ASSERT_EQ(0, vmc_restore_defaults());
}

FIXTURE_TEARDOWN(libpriv)
{
	EXPECT_EQ(0, vmc_restore_defaults());
}

static VMEMcache *new_private(size_t size, size_t extent,
			      enum vmemcache_repl_p policy)
{
	VMEMcache *c = vmemcache_new();

	if (!c)
		return NULL;
	if (vmemcache_set_size(c, size) || vmemcache_set_extent_size(c, extent) ||
	    vmemcache_set_eviction_policy(c, policy) ||
	    vmemcache_add(c, "/tmp")) {
		fprintf(stderr, "# %s\n", vmemcache_errormsg());
		vmemcache_delete(c);
		return NULL;
	}
	return c;
}

/* A private cache of @size bytes on @path: a directory or the DAX device. */
static VMEMcache *new_on(const char *path, size_t size)
{
	VMEMcache *c = vmemcache_new();

	if (!c)
		return NULL;
	if (vmemcache_set_size(c, size) || vmemcache_set_extent_size(c, 256) ||
	    vmemcache_add(c, path)) {
		fprintf(stderr, "# %s: %s\n", path, vmemcache_errormsg());
		vmemcache_delete(c);
		return NULL;
	}
	return c;
}

/* The DAX device for a private cache, freed from the shared one; or NULL. */
static const char *free_dax(void)
{
	if (!*vmc_backing())
		return NULL;
	if (vmc_sysfs_write("backing_dev", "none"))
		return NULL;
	return vmc_backing();
}

/* LRU evictions by puts, and by evict(NULL): each value readable in on_evict. */
static void lru_values(struct __test_metadata *_metadata, const char *path)
{
	struct reads r = { 0 };
	unsigned int i;
	VMEMcache *c;

	c = new_on(path, 1 << 20);
	ASSERT_NE(NULL, c);
	vmemcache_callback_on_evict(c, read_evicted, &r);
	for (i = 0; i < 400; i++)
		ASSERT_EQ(0, put_pat(c, i, 0));
	ASSERT_LT(50, r.calls);
	ASSERT_EQ(r.calls, r.exact);
	ASSERT_EQ(r.calls, r.exists);
	ASSERT_EQ(r.calls, r.others_ok);
	r.calls = r.exact = 0;
	ASSERT_EQ(0, vmemcache_evict(c, NULL, 0));
	ASSERT_EQ(1, r.calls);
	ASSERT_EQ(1, r.exact);
	vmemcache_delete(c);
}

TEST_F(libpriv, on_evict_reads_lru_values_dram)
{
	lru_values(_metadata, "/tmp");
}

TEST_F(libpriv, on_evict_reads_lru_values_pmem)
{
	const char *dax = free_dax();

	if (!dax)
		SKIP(return, "DRAM pass: no DAX device");
	lru_values(_metadata, dax);
}

/*
 * A two-level cache: a small DRAM cache whose on_evict demotes the value
 * it reads to a second cache (on the DAX device in the pmem pass, another
 * DRAM cache in the DRAM pass); every key ever put is then in one of the
 * two with its exact bytes.
 */
TEST_F(libpriv, two_level_cache)
{
	const char *dax = free_dax();
	struct reads r = { 0 };
	unsigned int i, in1 = 0, in2 = 0;
	VMEMcache *l1, *l2;
	uint8_t v[8192];
	char key[32];

	l1 = new_on("/tmp", 1 << 20);
	ASSERT_NE(NULL, l1);
	l2 = new_on(dax ? dax : "/tmp", 64 << 20);
	ASSERT_NE(NULL, l2);
	r.next = l2;
	vmemcache_callback_on_evict(l1, read_evicted, &r);
	for (i = 0; i < 2000; i++)
		ASSERT_EQ(0, put_pat(l1, i, 0));
	ASSERT_LT(1000, r.calls);
	ASSERT_EQ(r.calls, r.demoted);
	for (i = 0; i < 2000; i++) {
		size_t vsize = 0;
		ssize_t n;

		vmc_key(key, sizeof(key), "ev-", i);
		n = vmemcache_get(l1, key, strlen(key), v, sizeof(v), 0,
				  &vsize);
		if (n >= 0) {
			in1++;
		} else {
			n = vmemcache_get(l2, key, strlen(key), v, sizeof(v),
					  0, &vsize);
			ASSERT_LE(0, n) TH_LOG("%s in neither cache", key);
			in2++;
		}
		ASSERT_TRUE(pat_equal(v, vsize, i)) TH_LOG("%s", key);
	}
	ASSERT_EQ(2000U, in1 + in2);
	ASSERT_EQ((unsigned int)r.demoted, in2);
	vmemcache_delete(l1);
	vmemcache_delete(l2);
}

/* Every entry a put evicts reaches on_evict, with its size. */
TEST_F(libpriv, evictions_by_puts)
{
	static uint8_t val[100 << 10];
	struct evicts ev = { 0 };
	size_t stat_evicts = 0, entries = 0;
	VMEMcache *c;
	char key[32];
	int i;

	c = new_private(1 << 20, 256, VMEMCACHE_REPLACEMENT_LRU);
	ASSERT_NE(NULL, c);
	vmemcache_callback_on_evict_ex(c, count_evict_ex, &ev);
	for (i = 0; i < 100; i++) {
		vmc_key(key, sizeof(key), "key-", i);
		ASSERT_EQ(0, vmemcache_put(c, key, strlen(key), val,
					   sizeof(val)));
	}
	ASSERT_EQ(0, vmemcache_get_stat(c, VMEMCACHE_STAT_EVICT, &stat_evicts,
					sizeof(stat_evicts)));
	ASSERT_EQ(0, vmemcache_get_stat(c, VMEMCACHE_STAT_ENTRIES, &entries,
					sizeof(entries)));
	ASSERT_EQ(100U, entries + stat_evicts);
	ASSERT_EQ((int)stat_evicts, ev.calls);
	ASSERT_EQ(stat_evicts * sizeof(val), ev.bytes);
	ASSERT_EQ(0, ev.not_there);
	/* A value larger than the cache: ENOSPC, as libvmemcache. */
	ASSERT_EQ(-1, vmemcache_put(c, "huge", 4, val, (2 << 20)));
	ASSERT_EQ(ENOSPC, errno);
	vmemcache_delete(c);
}

/* Policy NONE: a full cache refuses puts and evicts nothing by itself. */
TEST_F(libpriv, policy_none)
{
	static uint8_t val[300 << 10];
	VMEMcache *c;

	c = new_private(1 << 20, 256, VMEMCACHE_REPLACEMENT_NONE);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_put(c, "a", 1, val, sizeof(val)));
	ASSERT_EQ(0, vmemcache_put(c, "b", 1, val, sizeof(val)));
	ASSERT_EQ(0, vmemcache_put(c, "c", 1, val, sizeof(val)));
	ASSERT_EQ(-1, vmemcache_put(c, "d", 1, val, sizeof(val)));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(-1, vmemcache_evict(c, NULL, 0));
	ASSERT_EQ(ESRCH, errno);
	ASSERT_EQ(0, vmemcache_evict(c, "a", 1));
	ASSERT_EQ(0, vmemcache_put(c, "d", 1, val, sizeof(val)));
	vmemcache_delete(c);
}

/* The configured size and extent size are the cache's. */
TEST_F(libpriv, configuration)
{
	struct vmemcache_stats st;
	VMEMcache *c;

	c = new_private((3 << 20) + 5, 1000, VMEMCACHE_REPLACEMENT_LRU);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_get_stats(c, &st));
	/* The pool holds whole extents. */
	ASSERT_EQ(((3 << 20) + VMC_PAGE) / 1000 * 1000, st.pool_size);
	ASSERT_EQ(1000U, st.extent_size);
	vmemcache_delete(c);

	/* The default: VMEMCACHE_MIN_POOL and VMEMCACHE_MIN_EXTENT. */
	c = vmemcache_new();
	ASSERT_EQ(0, vmemcache_add(c, "/tmp"));
	ASSERT_EQ(0, vmemcache_get_stats(c, &st));
	ASSERT_EQ(VMEMCACHE_MIN_POOL, st.pool_size);
	ASSERT_EQ(VMEMCACHE_MIN_EXTENT, st.extent_size);
	vmemcache_delete(c);

	/* Extent sizes round up to 8 bytes; larger than the size: EINVAL. */
	c = new_private(1 << 20, 257, VMEMCACHE_REPLACEMENT_LRU);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_get_stats(c, &st));
	ASSERT_EQ(264U, st.extent_size);
	vmemcache_delete(c);
	c = vmemcache_new();
	ASSERT_EQ(0, vmemcache_set_extent_size(c, 2 << 20));
	ASSERT_EQ(-1, vmemcache_add(c, "/tmp"));
	ASSERT_EQ(EINVAL, errno);
	vmemcache_delete(c);
}

/* The setters' bad values, and setters once the cache is added. */
#define LONG_KEY	4000

/* Every eviction reaches on_evict, however many long keys a call evicts. */
static void count_long_evict(VMEMcache *cache, const void *key, size_t ksize,
			     void *arg)
{
	struct evicts *ev = arg;

	(void)cache;
	(void)key;
	ev->calls++;
	ev->bytes += ksize;
}

static int put_long_keys(VMEMcache *c, const char *prefix, int n)
{
	static char key[LONG_KEY];
	int i;

	memset(key, 'k', sizeof(key));
	for (i = 0; i < n; i++) {
		int len = snprintf(key, 32, "%s%06d", prefix, i);

		key[len] = 'k';
		if (vmemcache_put(c, key, sizeof(key), "v", 1))
			return -1;
	}
	return 0;
}

TEST_F(libpriv, evicted_long_keys)
{
	static uint8_t val[1 << 20];
	struct evicts ev = { 0 };
	size_t entries = 0, evicts = 0, kept;
	ssize_t n;
	VMEMcache *c;

	/*
	 * One-extent entries with long keys: the cache keeps as many as its
	 * DRAM limit allows (hundreds; their keys, megabytes, fill no log
	 * of old), and the puts beyond that evict the oldest.
	 */
	c = new_private(1 << 20, 256, VMEMCACHE_REPLACEMENT_LRU);
	ASSERT_NE(NULL, c);
	vmemcache_callback_on_evict(c, count_long_evict, &ev);
	ASSERT_EQ(0, put_long_keys(c, "a", 4096))
		TH_LOG("%s", vmemcache_errormsg());
	ASSERT_EQ(0, vmemcache_get_stat(c, VMEMCACHE_STAT_ENTRIES, &entries,
					sizeof(entries)));
	kept = entries;
	ASSERT_GE(kept, 256U);
	ASSERT_EQ(4096 - kept, (size_t)ev.calls);
	/* One put evicts them all, and each reaches on_evict. */
	ASSERT_EQ(0, vmemcache_put(c, "big", 3, val, sizeof(val)));
	ASSERT_EQ(4096, ev.calls);
	ASSERT_EQ(4096U * LONG_KEY, ev.bytes);
	ASSERT_EQ(0, vmemcache_get_stat(c, VMEMCACHE_STAT_EVICT, &evicts,
					sizeof(evicts)));
	ASSERT_EQ(4096U, evicts);
	/* A prefix eviction of hundreds of long keys reports each. */
	ASSERT_EQ(0, vmemcache_evict(c, "big", 3));
	ASSERT_EQ(0, put_long_keys(c, "p", 3000));
	ASSERT_EQ(0, vmemcache_get_stat(c, VMEMCACHE_STAT_ENTRIES, &entries,
					sizeof(entries)));
	ASSERT_GE(entries, 256U);
	ev.calls = 0;
	n = vmemcache_evict_prefix(c, "p", 1, 0);
	ASSERT_EQ((ssize_t)entries, n);
	ASSERT_EQ(entries, (size_t)ev.calls);
	vmemcache_delete(c);
}

TEST_F(libpriv, setter_errors)
{
	VMEMcache *c = vmemcache_new();

	ASSERT_NE(NULL, c);
	ASSERT_EQ(-1, vmemcache_set_size(c, VMEMCACHE_MIN_POOL - 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_STREQ("size 1048575 smaller than 1048576", vmemcache_errormsg());
	ASSERT_EQ(-1, vmemcache_set_extent_size(c, VMEMCACHE_MIN_EXTENT - 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_STREQ("extent size 255 smaller than 256 bytes",
		     vmemcache_errormsg());
	ASSERT_EQ(-1, vmemcache_set_eviction_policy(c,
			(enum vmemcache_repl_p)(VMEMCACHE_REPLACEMENT_LRU + 1)));
	ASSERT_EQ(EINVAL, errno);
	/* an unconfigured cache is no cache yet */
	ASSERT_EQ(-1, vmemcache_put(c, "k", 1, "v", 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vmemcache_add(c, "/tmp"));
	ASSERT_EQ(-1, vmemcache_set_size(c, 2 * VMEMCACHE_MIN_POOL));
	ASSERT_EQ(EALREADY, errno);
	ASSERT_STREQ("cache already in use", vmemcache_errormsg());
	ASSERT_EQ(-1, vmemcache_set_extent_size(c, 512));
	ASSERT_EQ(EALREADY, errno);
	ASSERT_EQ(-1, vmemcache_set_eviction_policy(c,
					VMEMCACHE_REPLACEMENT_NONE));
	ASSERT_EQ(EALREADY, errno);
	vmemcache_delete(c);
}

struct msg_thread {
	VMEMcache *c;
	char msg[256];
};

/* Fail a get in a thread of its own and keep what errormsg says. */
static void *errormsg_thread(void *arg)
{
	struct msg_thread *t = arg;
	char buf[4];

	if (vmemcache_get(t->c, "absent", 6, buf, sizeof(buf), 0, NULL) != -1)
		return NULL;
	snprintf(t->msg, sizeof(t->msg), "%s", vmemcache_errormsg());
	return NULL;
}

/* vmemcache_errormsg() is per thread: another thread's error leaves ours. */
TEST_F(libpriv, errormsg_per_thread)
{
	struct msg_thread t = { 0 };
	char mine[256];
	pthread_t tid;

	t.c = new_private(1 << 20, 256, VMEMCACHE_REPLACEMENT_LRU);
	ASSERT_NE(NULL, t.c);
	ASSERT_EQ(-1, vmemcache_set_size(t.c, 2 << 20));
	snprintf(mine, sizeof(mine), "%s", vmemcache_errormsg());
	ASSERT_NE(0U, strlen(mine));
	ASSERT_EQ(0, pthread_create(&tid, NULL, errormsg_thread, &t));
	ASSERT_EQ(0, pthread_join(tid, NULL));
	ASSERT_NE(0U, strlen(t.msg));
	ASSERT_STRNE(mine, t.msg);
	ASSERT_STREQ(mine, vmemcache_errormsg());
	vmemcache_delete(t.c);
}

TEST_F(libpriv, many_handles)
{
	enum { N = 32 };
	VMEMcache *c[N];
	char buf[8];
	int i;

	for (i = 0; i < N; i++) {
		c[i] = vmemcache_new();
		ASSERT_NE(NULL, c[i]);
		ASSERT_EQ(0, vmemcache_add(c[i], "/tmp"))
			TH_LOG("%d: %s", i, vmemcache_errormsg());
		ASSERT_EQ(0, vmemcache_put(c[i], "k", 1, &i, sizeof(i)));
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ((ssize_t)sizeof(i),
			  vmemcache_get(c[i], "k", 1, buf, sizeof(buf), 0, NULL));
		ASSERT_EQ(0, memcmp(buf, &i, sizeof(i)));
	}
	for (i = 0; i < N; i++)
		vmemcache_delete(c[i]);
}

TEST_F(libpriv, fork_shares_the_cache)
{
	VMEMcache *c = new_private(1 << 20, 256, VMEMCACHE_REPLACEMENT_LRU);
	char buf[8];
	int status;
	pid_t pid;

	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_put(c, "parent", 6, "p", 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (vmemcache_get(c, "parent", 6, buf, 1, 0, NULL) != 1)
			_exit(1);
		if (vmemcache_put(c, "child", 5, "c", 1))
			_exit(2);
		vmemcache_delete(c);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(1, vmemcache_exists(c, "child", 5, NULL));
	vmemcache_delete(c);
}

/* vmemcache_new(path, size, extent_size, policy), the old form. */
TEST_F(libpriv, new_with_four_arguments)
{
	struct vmemcache_stats st;
	VMEMcache *c;
	char buf[4];

	c = vmemcache_new("/tmp", 2 << 20, 512, VMEMCACHE_REPLACEMENT_LRU);
	ASSERT_NE(NULL, c) TH_LOG("%s", vmemcache_errormsg());
	ASSERT_EQ(0, vmemcache_put(c, "k", 1, "v4", 2));
	ASSERT_EQ(2, vmemcache_get(c, "k", 1, buf, sizeof(buf), 0, NULL));
	ASSERT_EQ(0, vmemcache_get_stats(c, &st));
	ASSERT_EQ(2U << 20, st.pool_size);
	ASSERT_EQ(512U, st.extent_size);
	vmemcache_delete(c);
	c = vmemcache_new(vmc_dev_path(), VMEMCACHE_MIN_POOL,
			  VMEMCACHE_MIN_EXTENT, VMEMCACHE_REPLACEMENT_LRU);
	ASSERT_NE(NULL, c);
	vmemcache_delete(c);
	c = vmemcache_new("/dev/null", VMEMCACHE_MIN_POOL,
			  VMEMCACHE_MIN_EXTENT, VMEMCACHE_REPLACEMENT_LRU);
	ASSERT_EQ(NULL, c);
	ASSERT_EQ(EINVAL, errno);
}

/* The administrator's bound on private pools. */
TEST_F(libpriv, limit)
{
	uint64_t limit0 = 0, used = 0;
	VMEMcache *c = vmemcache_new();

	ASSERT_EQ(0, vmc_sysfs_read_u64("private_limit", &limit0));
	ASSERT_EQ(0, vmc_sysfs_read_u64("private_used", &used));
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_limit", used + (1 << 20)));
	ASSERT_EQ(0, vmemcache_set_size(c, 2 << 20));
	ASSERT_EQ(-1, vmemcache_add(c, "/tmp"));
	ASSERT_EQ(EDQUOT, errno);
	ASSERT_NE(NULL, strstr(vmemcache_errormsg(), "private_limit"));
	/* Without the bound, more than the machine has: ENOMEM. */
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_limit", 0));
	ASSERT_EQ(0, vmemcache_set_size(c, (size_t)1 << 45));
	ASSERT_EQ(-1, vmemcache_add(c, "/tmp"));
	ASSERT_EQ(ENOMEM, errno);
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_limit", used + (1 << 20)));
	ASSERT_EQ(0, vmemcache_set_size(c, 1 << 20));
	ASSERT_EQ(0, vmemcache_add(c, "/tmp"));
	vmemcache_delete(c);
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_limit", limit0));
}

TEST(add_errors)
{
	VMEMcache *cache = vmemcache_new();
	int fd;

	ASSERT_NE(NULL, cache);
	/* libvmemcache's texts, which programs compare. */
	ASSERT_EQ(-1, vmemcache_add(cache, NULL));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_STREQ("invalid (NULL) path", vmemcache_errormsg());
	ASSERT_EQ(-1, vmemcache_add(cache, "/nonexistent/vmemcache"));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_STREQ("open: No such file or directory", vmemcache_errormsg());
	/* A character device that is neither vmemcache nor DAX. */
	ASSERT_EQ(-1, vmemcache_add(cache, "/dev/null"));
	ASSERT_EQ(EINVAL, errno);
	/* A regular file. */
	fd = open("/tmp/lib_test_file", O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(-1, vmemcache_add(cache, "/tmp/lib_test_file"));
	ASSERT_EQ(ENOTDIR, errno);
	ASSERT_STREQ("open: Not a directory", vmemcache_errormsg());
	unlink("/tmp/lib_test_file");
	/* The DAX device while the shared cache holds it (pmem pass). */
	if (*vmc_backing()) {
		char want[128];

		ASSERT_EQ(0, vmc_restore_defaults());
		ASSERT_EQ(-1, vmemcache_add(cache, vmc_backing()));
		ASSERT_EQ(EBUSY, errno);
		snprintf(want, sizeof(want),
			 "vmemcache_add: %s is in use: Device or resource busy",
			 vmc_backing());
		ASSERT_STREQ(want, vmemcache_errormsg());
	}
	ASSERT_EQ(0, vmemcache_add(cache, vmc_dev_path()));
	ASSERT_EQ(-1, vmemcache_add(cache, vmc_dev_path()));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_STREQ("the cache is already initialized", vmemcache_errormsg());
	vmemcache_delete(cache);
}

/*
 * Two caches on one DAX device, as libvmemcache's twolevel test makes:
 * the claim is exclusive, the second add fails with EBUSY (documented).
 */
TEST(two_caches_on_one_device)
{
	VMEMcache *a, *b;
	char want[128];

	if (!*vmc_backing())
		SKIP(return, "DRAM pass: no DAX device");
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	a = vmemcache_new();
	b = vmemcache_new();
	ASSERT_EQ(0, vmemcache_set_size(a, 2 << 20));
	ASSERT_EQ(0, vmemcache_set_size(b, 2 << 20));
	ASSERT_EQ(0, vmemcache_add(a, vmc_backing()))
		TH_LOG("%s", vmemcache_errormsg());
	ASSERT_EQ(-1, vmemcache_add(b, vmc_backing()));
	ASSERT_EQ(EBUSY, errno);
	snprintf(want, sizeof(want),
		 "vmemcache_add: %s is in use: Device or resource busy",
		 vmc_backing());
	ASSERT_STREQ(want, vmemcache_errormsg());
	vmemcache_delete(a);
	/* Free again once the first is gone. */
	ASSERT_EQ(0, vmemcache_add(b, vmc_backing()));
	vmemcache_delete(b);
	ASSERT_EQ(0, vmc_restore_defaults());
}

/*
 * A private cache in two tiers (vmemcache_add_tier()): on_evict is called
 * for exactly the entries the slow tier evicts, never for demotions, and
 * the tier counters add up.  The slow tier is DRAM, or the DAX device in
 * the pmem pass.
 */
TEST_F(libpriv, tiers)
{
	const char *dax = free_dax();
	struct vmemcache_tier_stats ts;
	struct evicts ev = { 0 };
	char key[32], val[4000];
	unsigned int i, present = 0;
	VMEMcache *c, *shared;

	shared = vmemcache_new();
	ASSERT_NE(NULL, shared);
	ASSERT_EQ(0, vmemcache_add_tier(shared, NULL, 2 << 20));
	ASSERT_EQ(-1, vmemcache_add_tier(shared, NULL, 2 << 20));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(-1, vmemcache_add(shared, vmc_dev_path()));
	ASSERT_EQ(EINVAL, errno);
	vmemcache_delete(shared);

	c = vmemcache_new();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_set_size(c, 1 << 20));
	ASSERT_EQ(0, vmemcache_set_extent_size(c, 4096));
	ASSERT_EQ(0, vmemcache_add_tier(c, dax ? dax : "", 2 << 20));
	ASSERT_EQ(0, vmemcache_add(c, "/tmp")) TH_LOG("%s", vmemcache_errormsg());
	ASSERT_EQ(-1, vmemcache_add_tier(c, "", 2 << 20));
	ASSERT_EQ(EALREADY, errno);
	vmemcache_callback_on_evict_ex(c, count_evict_ex, &ev);
	for (i = 0; i < 1000; i++) {
		memset(val, (int)i, sizeof(val));
		snprintf(key, sizeof(key), "tier-%u", i);
		ASSERT_EQ(0, vmemcache_put(c, key, strlen(key), val,
					   sizeof(val)));
	}
	/* 256 values in the fast tier, 512 in the slow one: 232 left. */
	ASSERT_EQ(0, vmemcache_get_tier_stats(c, &ts));
	ASSERT_EQ(2u, ts.nr_tiers);
	ASSERT_EQ(744u, ts.demotions);
	ASSERT_EQ(256u, ts.tier[0].entries);
	ASSERT_EQ(512u, ts.tier[1].entries);
	ASSERT_EQ(232, ev.calls);
	ASSERT_EQ(0, ev.not_there);
	ASSERT_EQ(232u * sizeof(val), ev.bytes);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "tier-%u", i);
		present += vmemcache_exists(c, key, strlen(key), NULL) == 1;
	}
	ASSERT_EQ(768u, present);
	vmemcache_delete(c);
}

TEST_HARNESS_MAIN

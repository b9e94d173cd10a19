// SPDX-License-Identifier: GPL-2.0
/*
 * The large-scale run (`make check-large`; not in `make check`, too slow
 * under TCG): a pmem pool of several GiB under continuous eviction with
 * over a million puts, every surviving value verified byte for byte, and
 * the figures that size a cache asserted with generous margins:
 *
 *  - space utilization (pool_used / pool_size) >= 95% after continuous
 *    eviction with random value sizes of 1..64 extents;
 *  - value bytes >= 90% of the pool when every value is one extent
 *    (256-byte values, 256-byte extents), with over a million entries;
 *  - DRAM metadata (dram_used / entries) at least 80 bytes plus the key
 *    per entry of one extent and at most the real DRAM cost (MemFree
 *    consumed, with the rhashtable's buckets and the free-run nodes),
 *    printed next to it.
 *
 * Values are slices of one random buffer chosen by the key id, with the
 * id stamped in their first bytes, so checking one is a memcmp().
 * Needs the pool on pmem (VMEMCACHE_BACKING); skips otherwise.
 */
#include "vmc_test.h"

#include <time.h>

#define EXT		256U
#define RND_SIZE	(64U << 20)
#define MAX_VAL		(64U * EXT)

static uint8_t *rnd;

/* The random bytes every value is a slice of. */
static int rnd_init(uint64_t seed)
{
	uint64_t *w;
	size_t i;

	rnd = malloc(RND_SIZE + MAX_VAL);
	if (!rnd)
		return -ENOMEM;
	w = (uint64_t *)rnd;
	for (i = 0; i < (RND_SIZE + MAX_VAL) / 8; i++)
		w[i] = vmc_rand(&seed);
	return 0;
}

/* The expected value of key id: len bytes, the id in the first 8. */
static const uint8_t *value_of(uint64_t id, uint8_t *buf, uint32_t len)
{
	uint64_t off = vmc_mix64(id) % RND_SIZE;

	memcpy(buf, rnd + off, len);
	memcpy(buf, &id, len < 8 ? len : 8);
	return buf;
}

static uint32_t key_of(char *key, uint64_t id)
{
	/* Fixed width, so every key has the same length. */
	return (uint32_t)snprintf(key, 32, "k%010llu", (unsigned long long)id);
}

static long meminfo_kb(const char *field)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)) &&
		    line[strlen(field)] == ':')
			kb = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(f);
	return kb;
}

static double secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t pmem_bytes(void)
{
	unsigned long long sectors = 0;
	FILE *f = fopen("/sys/block/pmem0/size", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &sectors) != 1)
		sectors = 0;
	fclose(f);
	return sectors * 512 / VMC_PAGE * VMC_PAGE;
}

/*
 * Get every key 0..n-1 that is present and compare it with its expected
 * value: the number present, or -1 on a damaged value.  *bytes gets the
 * sum of their lengths.
 */
static long verify(int fd, uint64_t n, const uint32_t *lens, uint64_t *bytes)
{
	uint8_t *want = malloc(MAX_VAL), *got = malloc(MAX_VAL + 1);
	uint64_t id, copied = 0, size = 0;
	long present = 0;
	char key[32];
	int ret;

	*bytes = 0;
	if (!want || !got)
		return -1;
	for (id = 0; id < n; id++) {
		ret = vmc_get(fd, key, key_of(key, id), got, MAX_VAL + 1, 0,
			      &copied, &size);
		if (ret == -ENOENT)
			continue;
		if (ret || size != lens[id] || copied != lens[id] ||
		    memcmp(got, value_of(id, want, lens[id]), lens[id])) {
			fprintf(stderr, "# key %llu: get %d, size %llu of %u, %s\n",
				(unsigned long long)id, ret,
				(unsigned long long)size, lens[id],
				ret ? "" : "bytes differ");
			present = -1;
			break;
		}
		present++;
		*bytes += lens[id];
	}
	free(want);
	free(got);
	return present;
}

FIXTURE(large) {
	int fd;
};

FIXTURE_SETUP(large)
{
	self->fd = -1;
	ASSERT_EQ(0, vmc_restore_defaults());
	self->fd = vmc_open();
	ASSERT_LE(0, self->fd);
	if (!rnd)
		ASSERT_EQ(0, rnd_init(vmc_test_seed("large")));
}

FIXTURE_TEARDOWN(large)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, vmc_restore_defaults());
}

/*
 * Puts ids 0..n-1 of the given lengths, in order, evicting as the pool
 * fills.  Prints progress every million.
 */
static int put_all(int fd, uint64_t n, const uint32_t *lens)
{
	uint8_t *buf = malloc(MAX_VAL);
	char key[32];
	uint64_t id;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (id = 0; id < n && !ret; id++) {
		ret = vmc_put(fd, key, key_of(key, id),
			      value_of(id, buf, lens[id]), lens[id], 0);
		if (ret)
			fprintf(stderr, "# put %llu: %s\n",
				(unsigned long long)id, strerror(-ret));
		if (id && id % 1000000 == 0)
			fprintf(stderr, "#   %llu puts\n",
				(unsigned long long)id);
	}
	free(buf);
	return ret;
}

TEST_F_TIMEOUT(large, mixed_sizes_utilization, 3000)
{
	uint64_t dev = pmem_bytes(), n = 1200000, id, bytes, seed;
	struct vmemcache_stats st;
	char kb[32];
	uint32_t *lens;
	double t0, util;
	long present;

	if (!*vmc_backing() || dev < (2ULL << 30))
		SKIP(return, "needs a pmem pool of at least 2 GiB (make check-large)");
	VMC_CONFIG(dev, EXT, "lru");
	lens = malloc(n * sizeof(*lens));
	ASSERT_NE(NULL, lens);
	seed = vmc_test_seed("sizes");
	for (id = 0; id < n; id++)
		lens[id] = (uint32_t)vmc_rand_range(&seed, 1, MAX_VAL);

	t0 = secs();
	ASSERT_EQ(0, put_all(self->fd, n, lens));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	vmc_stats_log("mixed sizes", &st);
	ASSERT_LT(0U, st.evictions) TH_LOG("the pool never filled");
	present = verify(self->fd, n, lens, &bytes);
	ASSERT_EQ((long)st.entries, present);
	util = 100.0 * st.pool_used / st.pool_size;
	fprintf(stderr, "# mixed 1..%u bytes (1..64 extents of %u), pool %.2f GiB: %llu puts, %llu evictions, %llu entries in %.0f s\n",
		MAX_VAL, EXT, st.pool_size / 1073741824.0,
		(unsigned long long)n, (unsigned long long)st.evictions,
		(unsigned long long)st.entries, secs() - t0);
	fprintf(stderr, "# utilization %.2f %% (pool_used / pool_size), value bytes %.2f %% of the pool, dram_used %.1f bytes/entry (key %u bytes)\n",
		util, 100.0 * bytes / st.pool_size,
		(double)st.dram_used / st.entries, key_of(kb, 0));
	ASSERT_LE(95.0, util);
	free(lens);
}

TEST_F_TIMEOUT(large, one_extent_values_and_dram_per_entry, 3000)
{
	uint64_t cap = 512ULL << 20, slots = cap / EXT, n, id, bytes;
	long free0, free1, slab0, slab1, present;
	struct vmemcache_stats st;
	uint32_t *lens, key_len;
	char kb[32];
	double per_entry, real, t0;

	if (!*vmc_backing() || pmem_bytes() < cap)
		SKIP(return, "needs a pmem pool of at least 512 MiB (make check-large)");
	VMC_CONFIG(cap, EXT, "lru");
	n = slots + slots / 4;		/* a quarter of them evicted */
	lens = malloc(n * sizeof(*lens));
	ASSERT_NE(NULL, lens);
	for (id = 0; id < n; id++)
		lens[id] = EXT;
	key_len = key_of(kb, 0);

	ASSERT_EQ(0, system("sync; echo 3 > /proc/sys/vm/drop_caches"));
	free0 = meminfo_kb("MemFree");
	slab0 = meminfo_kb("Slab");
	t0 = secs();
	ASSERT_EQ(0, put_all(self->fd, n, lens));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	free1 = meminfo_kb("MemFree");
	slab1 = meminfo_kb("Slab");
	vmc_stats_log("one extent", &st);
	ASSERT_EQ(slots, st.entries);
	present = verify(self->fd, n, lens, &bytes);
	ASSERT_EQ((long)st.entries, present);

	per_entry = (double)st.dram_used / st.entries;
	real = (free0 - free1) * 1024.0 / st.entries;
	fprintf(stderr, "# one extent: %llu puts, %llu entries in %.0f s; value bytes %.2f %% of the pool\n",
		(unsigned long long)n, (unsigned long long)st.entries,
		secs() - t0, 100.0 * bytes / st.pool_size);
	fprintf(stderr, "# DRAM per entry: dram_used %.1f bytes (80 + key %u, rounded up to a slab object); real %.1f bytes (MemFree consumed), of which slab %.1f\n",
		per_entry, key_len, real,
		(slab1 - slab0) * 1024.0 / st.entries);
	ASSERT_LE(90.0, 100.0 * bytes / st.pool_size);
	/* dram_used counts slab objects: the request rounded up. */
	ASSERT_LE(80.0 + key_len, per_entry);
	ASSERT_LE(per_entry, real);
	/* Slab rounding and the buckets: well under twice the metadata. */
	ASSERT_LE(real, 2 * (80.0 + key_len));
	free(lens);
}

TEST_HARNESS_MAIN

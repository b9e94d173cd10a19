// SPDX-License-Identifier: GPL-2.0
/*
 * Faults: every slab allocation, page allocation and user copy that one
 * operation makes is made to fail in turn, with the kernel's fault
 * injection (failslab, fail_page_alloc, fail_usercopy) driven by
 * /proc/thread-self/fail-nth: "fail the n-th fault site this thread
 * reaches", for n = 1, 2, ... until the operation reaches no n-th site.
 *
 * After each failure the operation must have failed with ENOMEM or EFAULT
 * (or succeeded, where the failed site has a fallback) and left the cache
 * in the state that result promises: a failed put leaves the key's old
 * value, or no value, a failed evict leaves the entry readable, a failed
 * configuration write leaves the configuration, and so on.  Entries put
 * before the sweep must still read back intact, the module's consistency
 * check must pass, and once the cache is reset no pool byte, entry
 * metadata or private cache may be left over; kmemleak, checked by the
 * guest script after the module's unload, finds whatever else leaked.
 *
 * The Debian kernel has no fault injection: there this binary skips, and
 * it runs in the debug kernel of `make check-debug`.
 */
#include "vmc_test.h"

#define CAP		(4ULL << 20)
#define EXT		256U
#define NSENT		16U		/* sentinel entries, put before a sweep */
#define SENT_LEN	1500U
#define VLEN		3000U
#define BIG_KEY		VMEMCACHE_MAX_KEY_SIZE
#define LOGSIZE		(64U << 10)
#define MAX_NTH		2000		/* more fault sites than this: a bug */
#define FI		VMC_DEBUGFS

struct fault_ctx {
	int fd;
	uint64_t gen;			/* generation of the value an op puts */
	uint8_t *val;			/* VLEN bytes */
	uint8_t *buf;			/* a value's worth of room */
	uint8_t *big_key;		/* BIG_KEY bytes */
	uint8_t *log;			/* LOGSIZE bytes */
	int nth_fd;			/* /proc/thread-self/fail-nth */
	struct vmemcache_batch_item items[3];	/* of the batch op */
};

/*
 * One operation under test: setup() brings the cache into the state the
 * operation starts from (faults off), run() is the one call that faults are
 * injected into, and verify() checks that the state after it matches its
 * result.  Each returns 0 or -errno / a negative on a failed check.
 * Operations that need or make an empty cache (configuration writes,
 * reset) put the sentinels back in verify(), and they are not checked.
 */
struct fault_op {
	const char *name;
	int (*setup)(struct fault_ctx *x);
	int (*run)(struct fault_ctx *x);
	int (*verify)(struct fault_ctx *x, int ret);
	bool empties;
};

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# " __VA_ARGS__);			\
		fputc('\n', stderr);					\
		return -EBADMSG;					\
	}								\
} while (0)

/* Arm fail-nth: the n-th fault site this thread reaches fails. */
static int nth_arm(struct fault_ctx *x, int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%d", n);

	return pwrite(x->nth_fd, b, len, 0) == len ? 0 : -errno;
}

/* Whether the armed fault was injected; disarms it if not. */
static bool nth_injected(struct fault_ctx *x)
{
	char b[16] = "";

	if (pread(x->nth_fd, b, sizeof(b) - 1, 0) <= 0)
		return false;
	if (atoi(b) == 0)
		return true;
	nth_arm(x, 0);
	return false;
}

/* ------------------------------------------------------------ state */

static uint32_t fkey(char *buf, size_t size, const char *name)
{
	return (uint32_t)snprintf(buf, size, "fault:%s", name);
}

/* 0 if key holds VLEN bytes of generation gen, -ENOENT if absent. */
static int value_is(struct fault_ctx *x, const char *name, uint64_t gen)
{
	char key[64];
	uint32_t klen = fkey(key, sizeof(key), name);

	return vmc_get_check(x->fd, key, klen, VLEN, vmc_seed(klen, gen));
}

static int put_gen(struct fault_ctx *x, const char *name, uint64_t gen,
		   uint32_t flags)
{
	char key[64];
	uint32_t klen = fkey(key, sizeof(key), name);

	vmc_fill(x->val, VLEN, vmc_seed(klen, gen));
	return vmc_put(x->fd, key, klen, x->val, VLEN, flags);
}

static int drop(struct fault_ctx *x, const char *name)
{
	char key[64];
	uint32_t klen = fkey(key, sizeof(key), name);
	int ret = vmc_evict(x->fd, key, klen);

	return ret == -ENOENT ? 0 : ret;
}

static int sentinels_put(struct fault_ctx *x)
{
	char key[32];
	unsigned int i;
	int ret;

	for (i = 0; i < NSENT; i++) {
		uint32_t klen = vmc_key(key, sizeof(key), "sentinel-", i);

		ret = vmc_put_pattern(x->fd, key, klen, SENT_LEN,
				      vmc_seed(i, 7), VMEMCACHE_PUT_REPLACE);
		if (ret)
			return ret;
	}
	return 0;
}

static int sentinels_intact(struct fault_ctx *x)
{
	char key[32];
	unsigned int i;
	int ret;

	for (i = 0; i < NSENT; i++) {
		uint32_t klen = vmc_key(key, sizeof(key), "sentinel-", i);

		ret = vmc_get_check(x->fd, key, klen, SENT_LEN, vmc_seed(i, 7));
		CHECK(!ret, "sentinel %u: %s", i, strerror(-ret));
	}
	return 0;
}

static bool errno_ok(int ret)
{
	return !ret || ret == -ENOMEM || ret == -EFAULT;
}

/* ------------------------------------------------------------ puts */

static int put_new_setup(struct fault_ctx *x)
{
	x->gen++;
	return drop(x, "new");
}

static int put_new_run(struct fault_ctx *x)
{
	return put_gen(x, "new", x->gen, 0);
}

static int put_new_verify(struct fault_ctx *x, int ret)
{
	int got = value_is(x, "new", x->gen);

	CHECK(ret ? got == -ENOENT : !got, "put %s, then get: %s",
	      strerror(-ret), strerror(-got));
	return 0;
}

static int put_replace_setup(struct fault_ctx *x)
{
	x->gen += 2;
	return put_gen(x, "rep", x->gen - 1, VMEMCACHE_PUT_REPLACE);
}

static int put_replace_run(struct fault_ctx *x)
{
	return put_gen(x, "rep", x->gen, VMEMCACHE_PUT_REPLACE);
}

static int put_replace_verify(struct fault_ctx *x, int ret)
{
	/* a failed replacement keeps the old value */
	int got = value_is(x, "rep", ret ? x->gen - 1 : x->gen);

	CHECK(!got, "replacing put %s: the value that should be there: %s",
	      strerror(-ret), strerror(-got));
	return 0;
}

/* A put of a key as long as keys may be. */
static int put_big_key_setup(struct fault_ctx *x)
{
	int ret = vmc_evict(x->fd, x->big_key, BIG_KEY);

	return ret == -ENOENT ? 0 : ret;
}

static int put_big_key_run(struct fault_ctx *x)
{
	return vmc_put(x->fd, x->big_key, BIG_KEY, x->val, VLEN, 0);
}

static int put_big_key_verify(struct fault_ctx *x, int ret)
{
	int got = vmc_exists(x->fd, x->big_key, BIG_KEY, NULL);

	CHECK(ret ? got == -ENOENT : !got, "put of a 64 KiB key %s, exists: %s",
	      strerror(-ret), strerror(-got));
	return 0;
}

/*
 * A put into a full pool, which must evict: every entry gone afterwards
 * must have been reported in the log, and no other may be gone.
 */
#define FILL_LEN	(64U << 10)	/* NFILL of them fill the pool exactly */
#define NFILL		(CAP / FILL_LEN)

static int fill_key(char *key, size_t size, unsigned int i)
{
	return (int)vmc_key(key, size, "fault:fill-", i);
}

static int put_evicting_setup(struct fault_ctx *x)
{
	struct vmemcache_stats st;
	char key[32];
	unsigned int i;
	int ret;

	ret = vmc_config(CAP, EXT, "lru");
	if (ret)
		return ret;
	x->gen++;
	for (i = 0; i < NFILL; i++) {
		ret = vmc_put_pattern(x->fd, key, fill_key(key, sizeof(key), i),
				      FILL_LEN, vmc_seed(i, 3), 0);
		if (ret)
			return ret;
	}
	ret = vmc_stats(x->fd, &st);
	if (ret)
		return ret;
	CHECK(st.entries == NFILL && st.pool_size - st.pool_used < VLEN,
	      "pool not full: %llu entries, %llu of %llu bytes",
	      (unsigned long long)st.entries,
	      (unsigned long long)st.pool_used,
	      (unsigned long long)st.pool_size);
	return 0;
}

static int put_evicting_run(struct fault_ctx *x)
{
	char key[64];
	uint32_t klen = fkey(key, sizeof(key), "evicting");
	struct vmemcache_put p = {
		.key = vmc_ptr(key), .key_len = klen,
		.value = vmc_ptr(x->val), .value_len = VLEN,
		.evicted = vmc_ptr(x->log), .evicted_size = LOGSIZE,
	};

	memset(x->log, 0, LOGSIZE);
	vmc_fill(x->val, VLEN, vmc_seed(klen, x->gen));
	return vmc_ioctl(x->fd, VMEMCACHE_IOC_PUT, &p);
}

/*
 * The log's records: as its header counts them, or, when the kernel could
 * not write the final header (a failed user copy; the call's result stands
 * then, and the header is still the empty one it wrote first), as many as
 * the zeroed buffer holds.
 */
static int evicted_keys(struct fault_ctx *x, bool *reported, unsigned int *n)
{
	const struct vmemcache_evicted_log *log = (const void *)x->log;
	const uint8_t *p = x->log + sizeof(*log), *end = x->log + LOGSIZE;
	bool stale = !log->count && !log->dropped;
	char key[32];
	unsigned int i;

	for (*n = 0; stale || *n < log->count; ++*n) {
		const struct vmemcache_evicted_rec *rec = (const void *)p;

		if (stale && (p + sizeof(*rec) > end || !rec->key_len))
			break;
		CHECK(rec->key_len < sizeof(key), "record of a %u-byte key",
		      rec->key_len);
		memcpy(key, p + sizeof(*rec), rec->key_len);
		key[rec->key_len] = '\0';
		CHECK(sscanf(key, "fault:fill-%u", &i) == 1 && i < NFILL,
		      "evicted record of '%s'", key);
		reported[i] = true;
		p += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
	}
	return 0;
}

static int put_evicting_check(struct fault_ctx *x, int ret)
{
	const struct vmemcache_evicted_log *log = (const void *)x->log;
	bool reported[NFILL] = { false };
	unsigned int i, n, gone = 0;
	char key[32];
	int got = value_is(x, "evicting", x->gen);

	CHECK(ret ? got == -ENOENT : !got, "evicting put %s, then get: %s",
	      strerror(-ret), strerror(-got));
	if (evicted_keys(x, reported, &n))
		return -EBADMSG;
	/* Evictions are reported, or counted as dropped (a failed copy). */
	for (i = 0; i < NFILL; i++) {
		int r = vmc_get_check(x->fd, key, fill_key(key, sizeof(key), i),
				      FILL_LEN, vmc_seed(i, 3));

		CHECK(!r || r == -ENOENT, "%s: %s", key, strerror(-r));
		CHECK(!reported[i] || r == -ENOENT, "%s reported evicted, still there",
		      key);
		gone += r == -ENOENT;
	}
	CHECK(gone == n + log->dropped,
	      "%u entries gone, %u reported and %llu dropped", gone, n,
	      (unsigned long long)log->dropped);
	CHECK(ret || gone, "a put into a full pool evicted nothing");
	return 0;
}

static int put_evicting_verify(struct fault_ctx *x, int ret)
{
	int bad = put_evicting_check(x, ret);

	return vmc_restore_defaults() ?: sentinels_put(x) ?: bad;
}

/* ------------------------------------------------------------ reads */

static int get_run(struct fault_ctx *x)
{
	char key[32];
	uint32_t klen = vmc_key(key, sizeof(key), "sentinel-", 3);

	return vmc_get(x->fd, key, klen, x->buf, SENT_LEN, 0, NULL, NULL);
}

static int get_verify(struct fault_ctx *x, int ret)
{
	if (!ret)
		CHECK(vmc_check(x->buf, SENT_LEN, vmc_seed(3, 7)) < 0,
		      "get returned a wrong value");
	return 0;	/* the sentinels are checked after every op */
}

static int get_big_key_run(struct fault_ctx *x)
{
	int ret = vmc_get(x->fd, x->big_key, BIG_KEY, x->buf, VLEN, 0, NULL,
			  NULL);

	return ret == -ENOENT ? 0 : ret;
}

static int exists_run(struct fault_ctx *x)
{
	char key[32];
	uint32_t klen = vmc_key(key, sizeof(key), "sentinel-", 5);

	return vmc_exists(x->fd, key, klen, NULL);
}

static int stats_run(struct fault_ctx *x)
{
	struct vmemcache_stats st;

	return vmc_stats(x->fd, &st);
}

static int list_run(struct fault_ctx *x)
{
	struct vmemcache_list l = {
		.buf = vmc_ptr(x->log), .buf_size = LOGSIZE,
	};

	return vmc_ioctl(x->fd, VMEMCACHE_IOC_LIST, &l);
}

static int open_run(struct fault_ctx *x)
{
	int fd = vmc_open();

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int nop_verify(struct fault_ctx *x, int ret)
{
	return 0;
}

/* ------------------------------------------------------------ evictions */

static int evict_setup(struct fault_ctx *x)
{
	x->gen++;
	return put_gen(x, "ev", x->gen, VMEMCACHE_PUT_REPLACE);
}

static int evict_run(struct fault_ctx *x)
{
	char key[64];
	uint32_t klen = fkey(key, sizeof(key), "ev");
	struct vmemcache_evict ev = {
		.key = vmc_ptr(key), .key_len = klen,
		.evicted = vmc_ptr(x->log), .evicted_size = LOGSIZE,
	};

	return vmc_ioctl(x->fd, VMEMCACHE_IOC_EVICT, &ev);
}

static int evict_verify(struct fault_ctx *x, int ret)
{
	int got = value_is(x, "ev", x->gen);

	CHECK(ret ? !got : got == -ENOENT, "evict %s, then get: %s",
	      strerror(-ret), strerror(-got));
	return 0;
}

static int evict_prefix_setup(struct fault_ctx *x)
{
	int ret;

	x->gen++;
	ret = put_gen(x, "pfx-a", x->gen, VMEMCACHE_PUT_REPLACE);
	return ret ?: put_gen(x, "pfx-b", x->gen, VMEMCACHE_PUT_REPLACE);
}

static int evict_prefix_run(struct fault_ctx *x)
{
	static const char prefix[] = "fault:pfx-";
	struct vmemcache_evict ev = {
		.key = vmc_ptr(prefix), .key_len = sizeof(prefix) - 1,
		.flags = VMEMCACHE_EVICT_PREFIX,
		.evicted = vmc_ptr(x->log), .evicted_size = LOGSIZE,
	};

	return vmc_ioctl(x->fd, VMEMCACHE_IOC_EVICT, &ev);
}

static int evict_prefix_verify(struct fault_ctx *x, int ret)
{
	int a = value_is(x, "pfx-a", x->gen), b = value_is(x, "pfx-b", x->gen);

	/* a failure may come after some keys went, never with a wrong value */
	CHECK((a == 0 || a == -ENOENT) && (b == 0 || b == -ENOENT),
	      "prefix evict %s: %s, %s", strerror(-ret), strerror(-a),
	      strerror(-b));
	if (!ret)
		CHECK(a == -ENOENT && b == -ENOENT,
		      "prefix evict succeeded, keys left");
	return 0;
}

static int evict_lru_run(struct fault_ctx *x)
{
	struct vmemcache_evict ev = {
		.evicted = vmc_ptr(x->log), .evicted_size = LOGSIZE,
	};

	return vmc_ioctl(x->fd, VMEMCACHE_IOC_EVICT, &ev);
}

/* The LRU victim is a sentinel: put them all back. */
static int evict_lru_verify(struct fault_ctx *x, int ret)
{
	return sentinels_put(x);
}

/* ------------------------------------------------------------ batch */

static int batch_setup(struct fault_ctx *x)
{
	x->gen++;
	return drop(x, "batch");
}

static int batch_run(struct fault_ctx *x)
{
	static char key[64], skey[32];
	uint32_t klen = fkey(key, sizeof(key), "batch");
	uint32_t sklen = vmc_key(skey, sizeof(skey), "sentinel-", 9);
	struct vmemcache_batch_item *it = x->items;
	struct vmemcache_batch b = { .items = vmc_ptr(it), .count = 3 };

	memset(it, 0, sizeof(x->items));
	it[0] = (struct vmemcache_batch_item){
		.key = vmc_ptr(key), .key_len = klen, .op = VMEMCACHE_BATCH_PUT,
		.buf = vmc_ptr(x->val), .len = VLEN,
	};
	it[1] = (struct vmemcache_batch_item){
		.key = vmc_ptr(skey), .key_len = sklen,
		.op = VMEMCACHE_BATCH_GET, .buf = vmc_ptr(x->buf),
		.len = SENT_LEN,
	};
	it[2] = (struct vmemcache_batch_item){
		.key = vmc_ptr(skey), .key_len = sklen,
		.op = VMEMCACHE_BATCH_EXISTS,
	};
	/* results the kernel leaves unwritten show as 1 */
	it[0].result = it[1].result = it[2].result = 1;
	vmc_fill(x->val, VLEN, vmc_seed(klen, x->gen));
	return vmc_ioctl(x->fd, VMEMCACHE_IOC_BATCH, &b);
}

/*
 * Each item has its own result: a fault fails one item (ENOMEM, EFAULT)
 * or the whole call (EFAULT, when an item cannot be read or its result
 * written).  The put's key holds its value exactly when the put says so,
 * or, after a failed call, possibly (items run in order).
 */
static int batch_verify(struct fault_ctx *x, int ret)
{
	int got = value_is(x, "batch", x->gen), i;

	CHECK(!got || got == -ENOENT, "batch %s, the put's key: %s",
	      strerror(-ret), strerror(-got));
	if (ret)
		return 0;
	for (i = 0; i < 3; i++)
		CHECK(errno_ok(x->items[i].result), "batch item %d: %s", i,
		      strerror(-x->items[i].result));
	CHECK(x->items[0].result ? got == -ENOENT : !got,
	      "batch put %s, then get: %s", strerror(-x->items[0].result),
	      strerror(-got));
	if (!x->items[1].result)
		CHECK(vmc_check(x->buf, SENT_LEN, vmc_seed(9, 7)) < 0,
		      "batch get returned a wrong value");
	return 0;
}

/* ------------------------------------------------------------ private */

static uint64_t private_caches(void)
{
	uint64_t n = UINT64_MAX;

	vmc_sysfs_read_u64("private_caches", &n);
	return n;
}

static int create_run(struct fault_ctx *x)
{
	struct vmemcache_create cr = {
		.size = 1 << 20, .extent_size = EXT,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC,
	};
	char key[] = "k";
	int pfd, ret;

	pfd = ioctl(x->fd, VMEMCACHE_IOC_CREATE, &cr);
	if (pfd < 0)
		return -errno;
	/* the new cache works (its put and get fault too) */
	ret = vmc_put(pfd, key, 1, x->val, VLEN, 0);
	if (!ret)
		ret = vmc_get(pfd, key, 1, x->buf, VLEN, 0, NULL, NULL);
	close(pfd);
	return ret;
}

static int create_verify(struct fault_ctx *x, int ret)
{
	/* the last close freed it, or it never existed */
	CHECK(private_caches() == 0, "%llu private caches after %s",
	      (unsigned long long)private_caches(), strerror(-ret));
	return 0;
}

/* ------------------------------------------------------------ config */

static int config_setup(struct fault_ctx *x)
{
	return vmc_restore_defaults();
}

/* The cache works: put, get, evict. */
static int cache_works(struct fault_ctx *x)
{
	int ret = put_gen(x, "works", ++x->gen, 0);

	CHECK(!ret, "put after a configuration write: %s", strerror(-ret));
	ret = value_is(x, "works", x->gen);
	CHECK(!ret, "get after a configuration write: %s", strerror(-ret));
	return drop(x, "works");
}

static int capacity_run(struct fault_ctx *x)
{
	return vmc_sysfs_write("capacity", "8M");
}

static int capacity_verify(struct fault_ctx *x, int ret)
{
	uint64_t cap = 0;

	CHECK(!vmc_sysfs_read_u64("capacity", &cap), "capacity unreadable");
	CHECK(cap == (ret ? VMC_DEFAULT_CAPACITY : 8ULL << 20),
	      "capacity %llu after a write that returned %s",
	      (unsigned long long)cap, strerror(-ret));
	return cache_works(x) ?: vmc_restore_defaults() ?: sentinels_put(x);
}

static int extent_run(struct fault_ctx *x)
{
	return vmc_sysfs_write("extent_size", "1024");
}

static int extent_verify(struct fault_ctx *x, int ret)
{
	uint64_t ext = 0;

	CHECK(!vmc_sysfs_read_u64("extent_size", &ext), "extent_size unreadable");
	CHECK(ext == (ret ? VMC_DEFAULT_EXTENT : 1024),
	      "extent_size %llu after a write that returned %s",
	      (unsigned long long)ext, strerror(-ret));
	return cache_works(x) ?: vmc_restore_defaults() ?: sentinels_put(x);
}

/*
 * The policy a write switches to: lru_locked only in a debug build.  Found
 * out before any fault is armed (FIXTURE_SETUP): the access() that tells
 * is a syscall, and an armed fault site would fail it.
 */
static const char *other_policy_name;

static const char *other_policy(void)
{
	return other_policy_name;
}

static int policy_run(struct fault_ctx *x)
{
	return vmc_sysfs_write("policy", other_policy());
}

static int policy_verify(struct fault_ctx *x, int ret)
{
	char pol[32] = "", want[32];

	snprintf(want, sizeof(want), "%s\n", ret ? "lru" : other_policy());
	CHECK(vmc_sysfs_read("policy", pol, sizeof(pol)) > 0, "policy unreadable");
	CHECK(!strcmp(pol, want),
	      "policy '%s' after a write that returned %s", pol,
	      strerror(-ret));
	return cache_works(x) ?: vmc_restore_defaults() ?: sentinels_put(x);
}

static int reset_run(struct fault_ctx *x)
{
	return vmc_reset();
}

static int reset_verify(struct fault_ctx *x, int ret)
{
	struct vmemcache_stats st;

	CHECK(!vmc_stats(x->fd, &st), "stats");
	if (!ret)
		CHECK(!st.entries && !st.pool_used, "reset left %llu entries",
		      (unsigned long long)st.entries);
	return cache_works(x) ?: vmc_restore_defaults() ?: sentinels_put(x);
}

static const struct fault_op ops[] = {
	{ "put", put_new_setup, put_new_run, put_new_verify, false },
	{ "put-replace", put_replace_setup, put_replace_run, put_replace_verify, false },
	{ "put-64k-key", put_big_key_setup, put_big_key_run, put_big_key_verify, false },
	{ "put-evicting", put_evicting_setup, put_evicting_run, put_evicting_verify, false },
	{ "get", NULL, get_run, get_verify, false },
	{ "get-64k-key", NULL, get_big_key_run, nop_verify, false },
	{ "exists", NULL, exists_run, nop_verify, false },
	{ "stats", NULL, stats_run, nop_verify, false },
	{ "list", NULL, list_run, nop_verify, false },
	{ "open", NULL, open_run, nop_verify, false },
	{ "evict", evict_setup, evict_run, evict_verify, false },
	{ "evict-prefix", evict_prefix_setup, evict_prefix_run, evict_prefix_verify, false },
	{ "evict-lru", NULL, evict_lru_run, evict_lru_verify, false },
	{ "batch", batch_setup, batch_run, batch_verify, false },
	{ "create", NULL, create_run, create_verify, false },
	{ "capacity", config_setup, capacity_run, capacity_verify, true },
	{ "extent_size", config_setup, extent_run, extent_verify, true },
	{ "policy", config_setup, policy_run, policy_verify, true },
	{ "reset", NULL, reset_run, reset_verify, true },
};

/* ------------------------------------------------------------ the sweep */

static const char *const fi_setup[][2] = {
	/* count GFP_KERNEL allocations too, order-0 pages too; stay quiet */
	{ FI "/failslab/ignore-gfp-wait", "N" },
	{ FI "/failslab/verbose", "0" },
	{ FI "/fail_page_alloc/ignore-gfp-wait", "N" },
	{ FI "/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ FI "/fail_page_alloc/min-order", "0" },
	{ FI "/fail_page_alloc/verbose", "0" },
	{ FI "/fail_usercopy/verbose", "0" },
};

static const char *const fi_restore[][2] = {
	{ FI "/failslab/ignore-gfp-wait", "Y" },
	{ FI "/failslab/verbose", "2" },
	{ FI "/fail_page_alloc/ignore-gfp-wait", "Y" },
	{ FI "/fail_page_alloc/ignore-gfp-highmem", "Y" },
	{ FI "/fail_page_alloc/min-order", "1" },
	{ FI "/fail_page_alloc/verbose", "2" },
	{ FI "/fail_usercopy/verbose", "2" },
};

FIXTURE(fault) {
	struct fault_ctx x;
};

FIXTURE_SETUP(fault)
{
	struct fault_ctx *x = &self->x;
	unsigned int i;
	struct stat st;

	memset(x, 0, sizeof(*x));
	other_policy_name = vmc_debug_build() ? "lru_locked" : "none";
	x->fd = -1;
	x->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (x->nth_fd < 0)
		SKIP(return, "no /proc/thread-self/fail-nth: this kernel has no fault injection (make check-debug runs it)");
	if (stat(VMC_DEBUGFS "/failslab", &st))
		mount("debugfs", VMC_DEBUGFS, "debugfs", 0, NULL);
	for (i = 0; i < sizeof(fi_setup) / sizeof(fi_setup[0]); i++) {
		int ret = vmc_write_file(fi_setup[i][0], fi_setup[i][1]);

		if (ret)
			fprintf(stderr, "# cannot write %s: %s\n",
				fi_setup[i][0], strerror(-ret));
		ASSERT_EQ(0, ret);
	}
	ASSERT_EQ(0, vmc_restore_defaults());
	x->fd = vmc_open();
	ASSERT_LE(0, x->fd);
	x->val = malloc(VLEN);
	x->buf = malloc(FILL_LEN + 1);
	x->big_key = malloc(BIG_KEY);
	x->log = malloc(LOGSIZE);
	ASSERT_TRUE(x->val && x->buf && x->big_key && x->log);
	memset(x->big_key, 'K', BIG_KEY);
	ASSERT_EQ(0, sentinels_put(x));
}

FIXTURE_TEARDOWN(fault)
{
	struct fault_ctx *x = &self->x;
	unsigned int i;

	if (x->nth_fd < 0)
		return;
	nth_arm(x, 0);
	close(x->nth_fd);
	for (i = 0; i < sizeof(fi_restore) / sizeof(fi_restore[0]); i++)
		vmc_write_file(fi_restore[i][0], fi_restore[i][1]);
	if (x->fd >= 0)
		close(x->fd);
	free(x->val);
	free(x->buf);
	free(x->big_key);
	free(x->log);
	EXPECT_EQ(0, vmc_restore_defaults());
}

/*
 * Fail each fault site of op in turn; return how many it has, or -1 after
 * the first site that went wrong (reported).
 */
static int sweep(struct __test_metadata *_metadata, struct fault_ctx *x,
		 const struct fault_op *op)
{
	int n, ret, failed = 0, ok_anyway = 0;

	for (n = 1; n <= MAX_NTH; n++) {
		bool bad = false;

		if (op->setup) {
			ret = op->setup(x);
			if (ret) {
				TH_LOG("%s: setup: %s", op->name, strerror(-ret));
				return -1;
			}
		}
		if (nth_arm(x, n)) {
			TH_LOG("cannot arm fail-nth");
			return -1;
		}
		ret = op->run(x);
		if (!nth_injected(x)) {
			/* no n-th site: the op ran without a fault */
			EXPECT_EQ(0, ret)
				TH_LOG("%s without a fault: %s", op->name,
				       strerror(-ret));
			EXPECT_EQ(0, op->verify(x, ret));
			break;
		}
		if (ret)
			failed++;
		else
			ok_anyway++;
		if (!errno_ok(ret)) {
			TH_LOG("%s, fault site %d: %s (ENOMEM or EFAULT expected)",
			       op->name, n, strerror(-ret));
			bad = true;
		}
		if (op->verify(x, ret)) {
			TH_LOG("%s, fault site %d (%s): wrong state",
			       op->name, n, strerror(-ret));
			bad = true;
		}
		if (!op->empties && sentinels_intact(x)) {
			TH_LOG("%s, fault site %d: an older entry suffered",
			       op->name, n);
			bad = true;
		}
		if (vmc_check_consistency()) {
			TH_LOG("%s, fault site %d: the cache is inconsistent",
			       op->name, n);
			bad = true;
		}
		EXPECT_FALSE(bad);
		if (bad)
			return -1;
	}
	EXPECT_GE(MAX_NTH, n) TH_LOG("%s: more than %d fault sites", op->name,
				     MAX_NTH);
	fprintf(stderr, "# %-12s %3d fault sites: %d failed the call, %d were absorbed\n",
		op->name, n - 1, failed, ok_anyway);
	return n - 1;
}

TEST_F_TIMEOUT(fault, every_site_of_every_op, 3000)
{
	struct fault_ctx *x = &self->x;
	struct vmemcache_stats st;
	unsigned int i;
	int total = 0, n;

	/* 6.1's harness runs the test after a SKIP() in the setup */
	if (x->nth_fd < 0)
		SKIP(return, "no fault injection in this kernel");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		n = sweep(_metadata, x, &ops[i]);
		if (n < 0) {
			/* on to the next op, from a clean cache */
			ASSERT_EQ(0, vmc_restore_defaults());
			ASSERT_EQ(0, sentinels_put(x));
			continue;
		}
		/* every op allocates or copies something */
		EXPECT_LT(0, n) TH_LOG("%s reached no fault site", ops[i].name);
		total += n;
	}
	fprintf(stderr, "# %d fault sites in all\n", total);
	ASSERT_EQ(0, sentinels_intact(x));
	VMC_ASSERT_CONSISTENT();

	/* Nothing left over once the cache is emptied. */
	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_stats(x->fd, &st));
	EXPECT_EQ(0U, st.entries);
	EXPECT_EQ(0U, st.pool_used);
	EXPECT_EQ(0U, st.dram_used);
	EXPECT_EQ(0U, private_caches());
	VMC_ASSERT_CONSISTENT();
}

TEST_HARNESS_MAIN

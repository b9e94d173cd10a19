// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mock.c -- host test of libvmemcache-kdev's semantics against the fake
 * device of fakedev.c (linked in: its ioctl() takes the library's calls)
 * on an fd of /dev/null.  Checks what the library puts in the ioctl
 * structs, errno pass-through, the callbacks, statistics and messages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvmemcache.h>

#include "fakedev.h"
#include "tap.h"

/* ------------------------------------------------------------ the tests */

static int miss_calls, evict_calls;
static char evicted[32];

static void on_miss_put(VMEMcache *cache, const void *key, size_t key_size,
			void *arg)
{
	miss_calls++;
	if (arg)
		vmemcache_put(cache, key, key_size, arg, strlen(arg));
}

static void on_evict(VMEMcache *cache, const void *key, size_t key_size,
		     void *arg)
{
	(void)cache;
	evict_calls++;
	snprintf(evicted, sizeof(evicted), "%.*s", (int)key_size,
		 (const char *)key);
	tap_ok(arg == &evict_calls, "on_evict gets its argument");
}

static VMEMcache *attach(void)
{
	VMEMcache *c = vmemcache_new();

	fakedev.on = 1;
	fakedev.api_version = VMEMCACHE_API_VERSION;
	tap_ok(vmemcache_add(c, "/dev/null") == 0,
	       "add on the fake device");
	return c;
}

static void test_attach(VMEMcache *c)
{
	struct vmemcache_version ver;

	tap_ok(vmemcache_fd(c) > 2, "vmemcache_fd returns the device's fd");
	tap_ok(vmemcache_get_version(c, &ver) == 0 && ver.api_version == VMEMCACHE_API_VERSION &&
	       ver.max_key_size == VMEMCACHE_MAX_KEY_SIZE &&
	       ver.features == (VMEMCACHE_FEAT_PUT_REPLACE |
				VMEMCACHE_FEAT_EVICT_LRU),
	       "get_version returns the device's answer");
	IS_ERR_MSG(vmemcache_add(c, "/dev/null"), EBUSY,
		   "the cache is already initialized",
		   "a second add (EBUSY, as libvmemcache)");
	IS_ERR_MSG(vmemcache_set_size(c, VMEMCACHE_MIN_POOL), EALREADY,
		   "cache already in use", "set_size after add");
	IS_ERR_MSG(vmemcache_set_extent_size(c, VMEMCACHE_MIN_EXTENT),
		   EALREADY, "cache already in use",
		   "set_extent_size after add");
	IS_ERR_MSG(vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_LRU),
		   EALREADY, "cache already in use",
		   "set_eviction_policy after add");
}

static void test_put_get(VMEMcache *c)
{
	char buf[16];
	size_t vsize = 0;
	ssize_t n;
	int calls;

	tap_ok(vmemcache_put(c, "foo", 3, "barbaz", 6) == 0, "put foo");
	IS_ERR(vmemcache_put(c, "foo", 3, "x", 1), EEXIST, "vmemcache_put",
	       "put of an existing key");
	tap_ok(strstr(vmemcache_errormsg(), "vmemcache_put: key exists") != NULL,
	       "... message: %s", vmemcache_errormsg());
	n = vmemcache_get(c, "foo", 3, buf, sizeof(buf), 0, &vsize);
	tap_ok(n == 6 && vsize == 6 && !memcmp(buf, "barbaz", 6),
	       "get foo: the whole value (got %zd, vsize %zu)", n, vsize);
	n = vmemcache_get(c, "foo", 3, buf, 2, 3, &vsize);
	tap_ok(n == 2 && vsize == 6 && !memcmp(buf, "ba", 2),
	       "get foo with a short buffer and an offset");
	n = vmemcache_get(c, "foo", 3, buf, sizeof(buf), 6, NULL);
	tap_ok(n == 0, "get at the end of the value copies nothing");
	vsize = 0;
	n = vmemcache_get(c, "foo", 3, NULL, 0, 0, &vsize);
	tap_ok(n == 0 && vsize == 6, "get with no buffer learns the size");
	tap_ok(vmemcache_put_flags(c, "foo", 3, "new", 3,
				   VMEMCACHE_PUT_REPLACE) == 0,
	       "put_flags REPLACE over an existing key");
	n = vmemcache_get(c, "foo", 3, buf, sizeof(buf), 0, &vsize);
	tap_ok(n == 3 && vsize == 3 && !memcmp(buf, "new", 3),
	       "get returns the replaced value");
	IS_ERR(vmemcache_put(c, "k", 1, "v", 0), EINVAL, "vmemcache_put",
	       "put of an empty value (the kernel's EINVAL)");
	IS_ERR(vmemcache_put_flags(c, "k", 1, "v", 1, 0x80), EINVAL,
	       "vmemcache_put_flags", "put_flags with an unknown flag");
	IS_ERR(vmemcache_put(c, "k", 1, NULL, 1), EFAULT, "vmemcache_put",
	       "put of a NULL value (the kernel's EFAULT)");
	vsize = 0;
	tap_ok(vmemcache_get(c, "foo", 3, NULL, 4, 0, &vsize) == 0 && vsize > 0,
	       "get into a NULL buffer copies nothing and gives the size, as libvmemcache");

	calls = fakedev.calls;
	IS_ERR(vmemcache_put(c, "k", 0, "v", 1), EINVAL, "vmemcache_put",
	       "put with key size 0");
	IS_ERR(vmemcache_put(c, "k", (size_t)UINT32_MAX + 1, "v", 1), EINVAL,
	       "vmemcache_put", "put with key size 2^32");
	IS_ERR(vmemcache_get(c, "k", 0, buf, 1, 0, NULL), EINVAL,
	       "vmemcache_get", "get with key size 0");
	IS_ERR(vmemcache_exists(c, "k", 0, NULL), EINVAL, "vmemcache_exists",
	       "exists with key size 0");
	IS_ERR(vmemcache_evict(c, "k", 0), EINVAL, "vmemcache_evict",
	       "evict of a non-NULL key with size 0");
	tap_ok(fakedev.calls == calls, "bad key sizes never reach the kernel");

	fakedev.fail_errno = ENOMEM;
	IS_ERR(vmemcache_put(c, "z", 1, "v", 1), ENOMEM, "vmemcache_put",
	       "put when the kernel says ENOMEM");
	fakedev.fail_errno = ENOSPC;
	IS_ERR(vmemcache_put(c, "z", 1, "v", 1), ENOSPC, "vmemcache_put",
	       "put when the kernel says ENOSPC");
}

static void test_miss(VMEMcache *c)
{
	char buf[16];
	size_t vsize = 0;
	ssize_t n;

	IS_ERR(vmemcache_get(c, "nope", 4, buf, sizeof(buf), 0, &vsize),
	       ENOENT, "vmemcache_get", "get of a missing key");
	tap_ok(strstr(vmemcache_errormsg(), "key not found") != NULL,
	       "... message: %s", vmemcache_errormsg());

	vmemcache_callback_on_miss(c, on_miss_put, "filled");
	miss_calls = 0;
	n = vmemcache_get(c, "lazy", 4, buf, sizeof(buf), 0, &vsize);
	tap_ok(n == 6 && vsize == 6 && !memcmp(buf, "filled", 6) &&
	       miss_calls == 1,
	       "on_miss fills the key and get retries (got %zd, %d calls)", n,
	       miss_calls);
	n = vmemcache_get(c, "lazy", 4, buf, sizeof(buf), 0, &vsize);
	tap_ok(n == 6 && miss_calls == 1, "no on_miss on a hit");

	vmemcache_callback_on_miss(c, on_miss_put, NULL);
	miss_calls = 0;
	IS_ERR(vmemcache_get(c, "never", 5, buf, sizeof(buf), 0, NULL),
	       ENOENT, "vmemcache_get", "get when on_miss does not fill");
	tap_ok(miss_calls == 1, "... after exactly one on_miss call");
	vmemcache_callback_on_miss(c, NULL, NULL);
}

static void test_exists_evict(VMEMcache *c)
{
	size_t vsize = 0;

	tap_ok(vmemcache_exists(c, "foo", 3, &vsize) == 1 && vsize == 3,
	       "exists foo: 1, size 3");
	tap_ok(vmemcache_exists(c, "foo", 3, NULL) == 1, "exists with vsize NULL");
	errno = 0;
	tap_ok(vmemcache_exists(c, "nope", 4, &vsize) == 0, "exists nope: 0");

	vmemcache_callback_on_evict(c, on_evict, &evict_calls);
	evict_calls = 0;
	tap_ok(vmemcache_evict(c, "foo", 3) == 0 && evict_calls == 1 &&
	       !strcmp(evicted, "foo"), "evict foo calls on_evict with the key");
	IS_ERR_MSG(vmemcache_evict(c, "foo", 3), ENOENT,
		   "vmemcache_evict: cannot find an element with the given key",
		   "evict of a missing key");
	tap_ok(evict_calls == 1, "... and does not call on_evict");

	/* "lazy" is the only entry left. */
	tap_ok(vmemcache_put(c, "a", 1, "1", 1) == 0 &&
	       vmemcache_get(c, "lazy", 4, NULL, 0, 0, NULL) == 0,
	       "put a, use lazy: a is the least recently used");
	tap_ok(vmemcache_evict(c, NULL, 0) == 0 &&
	       vmemcache_exists(c, "a", 1, NULL) == 0 &&
	       vmemcache_exists(c, "lazy", 4, NULL) == 1,
	       "evict(NULL) evicts the LRU entry");
	tap_ok(vmemcache_evict(c, NULL, 0) == 0, "evict(NULL) again");
	IS_ERR_MSG(vmemcache_evict(c, NULL, 0), ESRCH, "no element to evict",
		   "evict(NULL) on an empty cache");
	tap_ok(evict_calls == 1, "evict(NULL) does not call on_evict");
	vmemcache_callback_on_evict(c, NULL, NULL);
}

static void test_stats(VMEMcache *c)
{
	static const struct {
		enum vmemcache_statistic stat;
		size_t off;
	} map[] = {
		{ VMEMCACHE_STAT_PUT, offsetof(struct vmemcache_stats, puts) },
		{ VMEMCACHE_STAT_GET, offsetof(struct vmemcache_stats, gets) },
		{ VMEMCACHE_STAT_HIT, offsetof(struct vmemcache_stats, hits) },
		{ VMEMCACHE_STAT_MISS,
		  offsetof(struct vmemcache_stats, misses) },
		{ VMEMCACHE_STAT_EVICT,
		  offsetof(struct vmemcache_stats, evictions) },
		{ VMEMCACHE_STAT_ENTRIES,
		  offsetof(struct vmemcache_stats, entries) },
		{ VMEMCACHE_STAT_DRAM_SIZE_USED,
		  offsetof(struct vmemcache_stats, dram_used) },
		{ VMEMCACHE_STAT_POOL_SIZE_USED,
		  offsetof(struct vmemcache_stats, pool_used) },
		{ VMEMCACHE_STAT_HEAP_ENTRIES,
		  offsetof(struct vmemcache_stats, free_extents) },
	};
	struct vmemcache_stats saved = fakedev_state->st, st;
	unsigned int small;
	size_t v;
	int good = 1;

	/* A distinct value in every field. */
	for (size_t i = 0; i < sizeof(fakedev_state->st) / sizeof(__u64); i++)
		((__u64 *)&fakedev_state->st)[i] = 1000 + i;
	tap_ok(sizeof(map) / sizeof(map[0]) == VMEMCACHE_STATS_NUM,
	       "every statistic is mapped");
	/* The shared cache's traffic counters are the handle's: below. */
	for (size_t i = VMEMCACHE_STAT_ENTRIES; i < sizeof(map) / sizeof(map[0]);
	     i++) {
		__u64 want = *(__u64 *)((char *)&fakedev_state->st + map[i].off);

		v = 0;
		if (vmemcache_get_stat(c, map[i].stat, &v, sizeof(v)) ||
		    v != want) {
			printf("#   statistic %d: got %zu, want %llu\n",
			       map[i].stat, v, (unsigned long long)want);
			good = 0;
		}
	}
	tap_ok(good, "get_stat maps the shared cache's state to its fields");
	tap_ok(vmemcache_get_stats(c, &st) == 0 &&
	       !memcmp(&st, &fakedev_state->st, sizeof(st)), "get_stats returns all");
	IS_ERR_MSG(vmemcache_get_stat(c, VMEMCACHE_STAT_PUT, &small,
				      sizeof(small)),
		   EINVAL, "wrong size of the value: 4 (should be: 8)",
		   "get_stat with value_size 4");
	IS_ERR_MSG(vmemcache_get_stat(c, VMEMCACHE_STATS_NUM, &v, sizeof(v)),
		   EINVAL, "unknown value of statistic: 9",
		   "get_stat(STATS_NUM)");
	IS_ERR(vmemcache_get_stat(c, VMEMCACHE_STAT_PUT, NULL, sizeof(v)),
	       EINVAL, "vmemcache_get_stat", "get_stat into NULL");
	IS_ERR(vmemcache_get_stats(c, NULL), EINVAL, "vmemcache_get_stats",
	       "get_stats into NULL");
	fakedev_state->st = saved;
}

static size_t stat_of(VMEMcache *c, enum vmemcache_statistic stat)
{
	size_t v = (size_t)-1;

	vmemcache_get_stat(c, stat, &v, sizeof(v));
	return v;
}

/*
 * On the shared cache, puts, gets, hits, misses and evictions are what the
 * handle did, whatever other processes do (the fake's counters are set to
 * large values and move with every call).
 */
static void test_shared_stats(void)
{
	VMEMcache *c = attach(), *other = attach();
	size_t before[VMEMCACHE_STAT_ENTRIES], after[VMEMCACHE_STAT_ENTRIES];
	char buf[8];
	int i;

	fakedev_state->st.puts = 5000;
	fakedev_state->st.gets = 5000;
	tap_ok(vmemcache_put(other, "o", 1, "1", 1) == 0 &&
	       vmemcache_get(other, "o", 1, buf, sizeof(buf), 0, NULL) == 1,
	       "another handle puts and gets");
	for (i = 0; i < VMEMCACHE_STAT_ENTRIES; i++)
		before[i] = stat_of(c, (enum vmemcache_statistic)i);
	tap_ok(before[VMEMCACHE_STAT_PUT] == 0 && before[VMEMCACHE_STAT_GET] == 0 &&
	       before[VMEMCACHE_STAT_EVICT] == 0,
	       "a new handle on the shared cache counts nothing yet");
	tap_ok(vmemcache_put(c, "s1", 2, "x", 1) == 0 &&
	       vmemcache_get(c, "s1", 2, buf, sizeof(buf), 0, NULL) == 1 &&
	       vmemcache_get(c, "s0", 2, buf, sizeof(buf), 0, NULL) == -1 &&
	       vmemcache_evict(c, "s1", 2) == 0, "put, hit, miss, evict");
	for (i = 0; i < VMEMCACHE_STAT_ENTRIES; i++)
		after[i] = stat_of(c, (enum vmemcache_statistic)i);
	tap_ok(after[VMEMCACHE_STAT_PUT] == 1 && after[VMEMCACHE_STAT_GET] == 2 &&
	       after[VMEMCACHE_STAT_HIT] == 1 && after[VMEMCACHE_STAT_MISS] == 1 &&
	       after[VMEMCACHE_STAT_EVICT] == 1,
	       "get_stat counts the handle's own: puts %zu gets %zu hits %zu misses %zu evictions %zu",
	       after[0], after[1], after[2], after[3], after[4]);
	tap_ok(stat_of(c, VMEMCACHE_STAT_ENTRIES) ==
	       fakedev_state->st.entries, "entries are the cache's");
	tap_ok(fakedev.last_evicted_size == 0,
	       "a module without the evicted log gets no log");
	vmemcache_delete(other);
	vmemcache_delete(c);
}

static char fill_value[] = "0123456789";
static int fill_calls;

/* on_miss that puts a value for the key that missed. */
static void on_miss_fill(VMEMcache *cache, const void *key, size_t key_size,
			 void *arg)
{
	fill_calls++;
	if (arg)	/* the put fails */
		fakedev.fail_errno = ENOSPC;
	vmemcache_put(cache, key, key_size, fill_value, 10);
}

/*
 * libvmemcache: a put of the missed key from on_miss serves the pending
 * get from the value being put (the offset applied, the buffer's size
 * respected) with no second lookup: the kernel counts one get, a miss.
 */
static void test_miss_fill(void)
{
	VMEMcache *c = attach();
	struct vmemcache_stats st0, st1;
	char buf[16];
	size_t vsize = 0;
	ssize_t n;
	int calls;

	vmemcache_callback_on_miss(c, on_miss_fill, NULL);
	vmemcache_get_stats(c, &st0);
	calls = fakedev.calls;
	memset(buf, 0, sizeof(buf));
	n = vmemcache_get(c, "f1", 2, buf, 4, 3, &vsize);
	tap_ok(n == 4 && vsize == 10 && !memcmp(buf, "3456", 4) && fill_calls == 1,
	       "a filled miss returns the put's bytes from the offset (%zd, %zu, %.4s)",
	       n, vsize, buf);
	vmemcache_get_stats(c, &st1);
	tap_ok(st1.gets - st0.gets == 1 && st1.misses - st0.misses == 1 &&
	       st1.puts - st0.puts == 1 && fakedev.calls - calls == 3,
	       "the kernel saw one get (a miss) and one put, no second lookup");
	tap_ok(stat_of(c, VMEMCACHE_STAT_GET) == 1 &&
	       stat_of(c, VMEMCACHE_STAT_MISS) == 1 &&
	       stat_of(c, VMEMCACHE_STAT_HIT) == 0 &&
	       stat_of(c, VMEMCACHE_STAT_PUT) == 1,
	       "get_stat: gets 1, misses 1, hits 0, puts 1, as libvmemcache");
	n = vmemcache_get(c, "f1", 2, buf, sizeof(buf), 0, &vsize);
	tap_ok(n == 10 && fill_calls == 1, "the put stored the value too");
	n = vmemcache_get(c, "f2", 2, buf, sizeof(buf), 12, &vsize);
	tap_ok(n == 0 && vsize == 10, "an offset past the value copies nothing");
	n = vmemcache_get(c, "f3", 2, NULL, 0, 0, &vsize);
	tap_ok(n == 0 && vsize == 10, "a NULL buffer learns the size");
	/* A put that fails still serves the get, as libvmemcache's. */
	vmemcache_callback_on_miss(c, on_miss_fill, c);
	n = vmemcache_get(c, "f4", 2, buf, sizeof(buf), 0, NULL);
	tap_ok(n == 10 && !memcmp(buf, fill_value, 10) &&
	       vmemcache_exists(c, "f4", 2, NULL) == 0,
	       "a filled miss whose put failed still returns the value");
	vmemcache_delete(c);
}

/* ------------------------------------------------ a v2 (private) device */

struct v2_evicts {
	int calls;
	size_t bytes;
	char keys[256];
};

static void v2_on_evict(VMEMcache *cache, const void *key, size_t ksize,
			size_t vsize, void *arg)
{
	struct v2_evicts *ev = arg;
	size_t len = strlen(ev->keys);

	(void)cache;
	ev->calls++;
	ev->bytes += vsize;
	snprintf(ev->keys + len, sizeof(ev->keys) - len, "%s%.*s",
		 len ? "," : "", (int)ksize, (const char *)key);
}

static int v2_list(VMEMcache *cache, const void *key, size_t ksize,
		   size_t vsize, void *arg)
{
	(void)cache;
	(void)key;
	(void)ksize;
	(void)vsize;
	(*(int *)arg)++;
	return 0;
}

/*
 * The private-cache paths of the library against the fake device in v2
 * mode (under valgrind in make check): vmemcache_add() of a directory
 * creates through $VMEMCACHE_DEV, the evicted log feeds on_evict, and the
 * list, prefix and batch calls parse what the device writes.
 */
static void test_v2(void)
{
	char dir[] = "/tmp/vmc-mock-XXXXXX", key[16], val[100];
	struct vmemcache_batch_item it[2];
	struct v2_evicts ev = { 0 };
	VMEMcache *c;
	int n = 0, i;

	fakedev_reset();
	fakedev.on = 1;
	fakedev.v2 = 1;
	fakedev.api_version = VMEMCACHE_API_VERSION;
	if (!tap_ok(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	setenv("VMEMCACHE_DEV", "/dev/null", 1);
	c = vmemcache_new();
	tap_ok(vmemcache_set_size(c, 3 << 20) == 0 &&
	       vmemcache_set_extent_size(c, 300) == 0 &&
	       vmemcache_set_eviction_policy(c, VMEMCACHE_REPLACEMENT_NONE) == 0,
	       "configure a private cache");
	tap_ok(vmemcache_add(c, dir) == 0, "add on a directory: %s",
	       vmemcache_errormsg());
	tap_ok(fakedev.creates == 1 && fakedev.last_create.size == 3 << 20 &&
	       fakedev.last_create.extent_size == 304 &&
	       fakedev.last_create.policy == VMEMCACHE_POLICY_NONE &&
	       fakedev.last_create.flags == VMEMCACHE_CREATE_CLOEXEC &&
	       !fakedev.last_create.backing_fd,
	       "CREATE carries the size, the extent rounded to 8, the policy");

	/* A NUMA node: only before add, only for a DRAM pool. */
	{
		VMEMcache *n = vmemcache_new();

		tap_ok(vmemcache_set_numa_node(n, -2) == -1 &&
		       errno == EINVAL, "set_numa_node(-2) is EINVAL");
		tap_ok(vmemcache_set_numa_node(n, 1) == 0 &&
		       vmemcache_add(n, "/dev/null") == -1 && errno == EINVAL,
		       "a NUMA node for the shared cache is EINVAL");
		tap_ok(vmemcache_add(n, dir) == 0 &&
		       fakedev.last_create.flags ==
		       (VMEMCACHE_CREATE_CLOEXEC | VMEMCACHE_CREATE_NUMA_NODE) &&
		       fakedev.last_create.numa_node == 1,
		       "CREATE carries the NUMA node: %s", vmemcache_errormsg());
		tap_ok(vmemcache_set_numa_node(n, 0) == -1 &&
		       errno == EALREADY, "set_numa_node after add: EALREADY");
		vmemcache_delete(n);
		fakedev.creates--;
	}

	/* No callback: a private cache's put asks for no log. */
	tap_ok(vmemcache_put(c, "nolog", 5, "v", 1) == 0 &&
	       fakedev.last_evicted_size == 0 &&
	       vmemcache_evict(c, "nolog", 5) == 0,
	       "without on_evict a private put passes no evicted log");
	vmemcache_callback_on_evict_ex(c, v2_on_evict, &ev);
	/*
	 * With one, the log has room for the most the put can evict: one
	 * entry per extent of the value (and two more), each with a key of
	 * the largest size.
	 */
	{
		static char big[100 << 10];
		__u64 rec = VMEMCACHE_EVICTED_REC_SIZE(VMEMCACHE_MAX_KEY_SIZE);

		int r = vmemcache_put(c, "big", 3, big, sizeof(big));

		tap_ok(r == 0 && fakedev.last_evicted_size >=
		       sizeof(struct vmemcache_evicted_log) +
		       (sizeof(big) / 296 + 2) * rec,
		       "the log of a 100 KiB put holds %llu records of 64 KiB keys",
		       (unsigned long long)(fakedev.last_evicted_size / rec));
		tap_ok(vmemcache_evict_flags(c, "big", 3,
					     VMEMCACHE_EVICT_NO_CALLBACK) == 0,
		       "evict it quietly");
	}
	memset(val, 'v', sizeof(val));
	for (i = 0; i < FAKEDEV_ENTRIES + 2; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		tap_ok(vmemcache_put(c, key, strlen(key), val, 10 + i) == 0,
		       "put %s", key);
	}
	tap_ok(ev.calls == 2 && ev.bytes == 21 && !strcmp(ev.keys, "k0,k1"),
	       "on_evict for the two entries the puts evicted: %s", ev.keys);
	tap_ok(vmemcache_evict(c, NULL, 0) == 0 && ev.calls == 3 &&
	       !strcmp(ev.keys, "k0,k1,k2"), "on_evict for the LRU evict");
	tap_ok(vmemcache_evict_flags(c, "k3", 2, VMEMCACHE_EVICT_NO_CALLBACK) == 0 &&
	       ev.calls == 3, "no on_evict with VMEMCACHE_EVICT_NO_CALLBACK");
	tap_ok(vmemcache_list(c, NULL, 0, v2_list, &n) == 0 &&
	       n == FAKEDEV_ENTRIES - 2, "list sees every key, one a call (%d)", n);
	n = 0;
	tap_ok(vmemcache_list(c, "k1", 2, v2_list, &n) == 0 && n == 0,
	       "list with a prefix nobody has");
	tap_ok(vmemcache_evict_prefix(c, "k", 1, 0) == FAKEDEV_ENTRIES - 2 &&
	       ev.calls == 3 + FAKEDEV_ENTRIES - 2,
	       "evict_prefix counts and reports them all");
	tap_ok(vmemcache_evict_prefix(c, "k", 1, 0) == 0,
	       "evict_prefix of nothing is 0");

	memset(it, 0, sizeof(it));
	it[0].op = VMEMCACHE_BATCH_PUT;
	it[0].key = (uintptr_t)"b";
	it[0].key_len = 1;
	it[0].buf = (uintptr_t)val;
	it[0].len = 5;
	it[1].op = VMEMCACHE_BATCH_GET;
	it[1].key = (uintptr_t)"b";
	it[1].key_len = 1;
	it[1].buf = (uintptr_t)key;
	it[1].len = sizeof(key);
	tap_ok(vmemcache_batch(c, it, 2) == 0 && it[0].result == 0 &&
	       it[1].result == 0 && it[1].copied == 5, "a batch put and get");
	vmemcache_delete(c);
	unsetenv("VMEMCACHE_DEV");
	rmdir(dir);
	fakedev.v2 = 0;
	fakedev.on = 0;
}

int main(void)
{
	VMEMcache *c = attach();
	int fd;

	test_attach(c);
	test_put_get(c);
	test_miss(c);
	test_exists_evict(c);
	test_stats(c);
	tap_ok(!fakedev.bad_reserved, "flags and reserved fields were always zero");
	fd = vmemcache_fd(c);
	vmemcache_delete(c);
	tap_ok(fcntl(fd, F_GETFD) == -1 && errno == EBADF,
	       "vmemcache_delete closes the device");
	fakedev_reset();

	/* A device that answers VERSION with api_version 0 is refused. */
	c = vmemcache_new();
	fakedev.api_version = 0;
	fd = open("/dev/null", O_RDONLY);
	close(fd);
	IS_ERR(vmemcache_add(c, "/dev/null"), EPROTO, "vmemcache_add",
	       "add on a device with api_version 0");
	tap_ok(open("/dev/null", O_RDONLY) == fd && close(fd) == 0,
	       "... and closes the device again");
	vmemcache_delete(c);
	test_shared_stats();
	test_miss_fill();
	fakedev_reset();
	fakedev.on = 0;
	test_v2();
	return tap_done();
}

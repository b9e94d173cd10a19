/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmemcache selftests: raw ioctl wrappers, sysfs
 * attribute access, cache (re)configuration, value patterns that can be
 * recomputed from a seed, memory that faults, and the common fixture.
 *
 * Every wrapper returns 0 (or a byte count) on success and -errno on
 * failure, so tests can write ASSERT_EQ(-EINVAL, vmc_put(...)).
 *
 * Environment: VMEMCACHE_DEV (default /dev/vmemcache), VMEMCACHE_SYSFS
 * (default /sys/class/misc/vmemcache), VMEMCACHE_BACKING (a DAX device that
 * vmc_config() puts the cache on; default: DRAM), VMEMCACHE_KO (default
 * /vmc/vmemcache.ko), VMEMCACHE_SEED (seed of the randomised tests).
 */
#ifndef VMC_TEST_H
#define VMC_TEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/vmemcache.h>

#include "kselftest_harness.h"

#include "../../tools/testing/common/xorshift.h"

#define VMC_DEFAULT_CAPACITY	(64ULL << 20)
#define VMC_DEFAULT_EXTENT	256U
#define VMC_DEFAULT_POLICY	"lru"
#define VMC_MIN_CAPACITY	(1ULL << 20)
#define VMC_MIN_EXTENT		64U
#define VMC_MAX_EXTENT		(1U << 30)
#define VMC_PAGE		4096UL
#define VMC_MODULE		"vmemcache"

#define VMC_ROUND_UP(n, a)	((((n) + (a) - 1) / (a)) * (a))

/* ------------------------------------------------------------ paths */

static inline const char *vmc_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static inline const char *vmc_dev_path(void)
{
	return vmc_env("VMEMCACHE_DEV", "/dev/vmemcache");
}

static inline const char *vmc_sysfs_dir(void)
{
	return vmc_env("VMEMCACHE_SYSFS", "/sys/class/misc/vmemcache");
}

/* The DAX device the cache is configured on, or "" for DRAM. */
static inline const char *vmc_backing(void)
{
	return vmc_env("VMEMCACHE_BACKING", "");
}

static inline const char *vmc_ko_path(void)
{
	return vmc_env("VMEMCACHE_KO", "/vmc/vmemcache.ko");
}

/* Path of a sysfs attribute, in a static buffer (one at a time). */
static inline const char *vmc_attr_path(const char *attr)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", vmc_sysfs_dir(), attr);
	return path;
}

/* ------------------------------------------------------------ ioctls */

static inline int vmc_open(void)
{
	int fd = open(vmc_dev_path(), O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Any command on any argument: 0 or -errno. */
static inline int vmc_ioctl(int fd, unsigned long cmd, const void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* A command of our magic with any direction, number and size. */
#define VMC_CMD(dir, nr, size)	_IOC(dir, VMEMCACHE_IOC_MAGIC, nr, size)

static inline uint64_t vmc_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static inline int vmc_version(int fd, struct vmemcache_version *v)
{
	return vmc_ioctl(fd, VMEMCACHE_IOC_VERSION, v);
}

static inline int vmc_put(int fd, const void *key, uint32_t key_len,
			  const void *val, uint64_t len, uint32_t flags)
{
	struct vmemcache_put p = {
		.key = vmc_ptr(key),
		.key_len = key_len,
		.value = vmc_ptr(val),
		.value_len = len,
		.flags = flags,
	};

	return vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p);
}

/* copied and size may be NULL. */
static inline int vmc_get(int fd, const void *key, uint32_t key_len,
			  void *buf, uint64_t buf_len, uint64_t offset,
			  uint64_t *copied, uint64_t *size)
{
	struct vmemcache_get g = {
		.key = vmc_ptr(key),
		.key_len = key_len,
		.buf = vmc_ptr(buf),
		.buf_len = buf_len,
		.offset = offset,
	};
	int ret = vmc_ioctl(fd, VMEMCACHE_IOC_GET, &g);

	if (!ret && copied)
		*copied = g.copied;
	if (!ret && size)
		*size = g.value_size;
	return ret;
}

static inline int vmc_exists(int fd, const void *key, uint32_t key_len,
			     uint64_t *size)
{
	struct vmemcache_exists x = {
		.key = vmc_ptr(key),
		.key_len = key_len,
	};
	int ret = vmc_ioctl(fd, VMEMCACHE_IOC_EXISTS, &x);

	if (!ret && size)
		*size = x.value_size;
	return ret;
}

static inline int vmc_evict(int fd, const void *key, uint32_t key_len)
{
	struct vmemcache_evict ev = {
		.key = vmc_ptr(key),
		.key_len = key_len,
	};

	return vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev);
}

/* Evict the replacement policy's victim (key 0, key_len 0). */
static inline int vmc_evict_lru(int fd)
{
	return vmc_evict(fd, NULL, 0);
}

static inline int vmc_stats(int fd, struct vmemcache_stats *st)
{
	memset(st, 0, sizeof(*st));
	return vmc_ioctl(fd, VMEMCACHE_IOC_STATS, st);
}

static inline void vmc_stats_log(const char *what,
				 const struct vmemcache_stats *st)
{
	fprintf(stderr,
		"# %s: puts %llu gets %llu hits %llu misses %llu evictions %llu entries %llu pool_used %llu/%llu dram_used %llu free_extents %llu extent_size %llu\n",
		what, st->puts, st->gets, st->hits, st->misses, st->evictions,
		st->entries, st->pool_used, st->pool_size, st->dram_used,
		st->free_extents, st->extent_size);
}

/* Keys: "<prefix><id>", without a terminating NUL in the key. */
static inline uint32_t vmc_key(char *buf, size_t size, const char *prefix,
			       unsigned int id)
{
	return (uint32_t)snprintf(buf, size, "%s%u", prefix, id);
}

/* ------------------------------------------------------------ sysfs */

/* Write val to path with one write(2), as `echo -n` would: 0 or -errno. */
static inline int vmc_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;	/* a short write is a failure too */
	close(fd);
	return err;
}

#define VMC_ND_PMEM	"/sys/bus/nd/drivers/nd_pmem/"

/* The nd namespace of /dev/pmem0, e.g. "namespace0.0", for unbind/bind. */
static inline int vmc_pmem_namespace(char *buf, size_t size)
{
	char link[256];
	ssize_t n = readlink("/sys/block/pmem0/device", link, sizeof(link) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	snprintf(buf, size, "%s", base ? base + 1 : link);
	return 0;
}

/* Bind the pmem driver to namespace ns again and wait for /dev/pmem0. */
static inline int vmc_pmem_rebind(const char *ns)
{
	int i, ret = vmc_write_file(VMC_ND_PMEM "bind", ns);

	for (i = 0; !ret && i < 100 && access("/dev/pmem0", F_OK); i++)
		usleep(50000);
	return ret ? ret : access("/dev/pmem0", F_OK) ? -ENODEV : 0;
}

/* Write val to the module's attribute attr: 0 or -errno. */
static inline int vmc_sysfs_write(const char *attr, const char *val)
{
	return vmc_write_file(vmc_attr_path(attr), val);
}

/* Read a whole attribute into buf (NUL-terminated): length or -errno. */
static inline ssize_t vmc_sysfs_read(const char *attr, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	fd = open(vmc_attr_path(attr), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return n;
}

/* Read a decimal attribute: "<digits>\n" exactly, else -EPROTO. */
static inline int vmc_sysfs_read_u64(const char *attr, uint64_t *val)
{
	char buf[64], *end;
	ssize_t n = vmc_sysfs_read(attr, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	if (n < 2 || buf[n - 1] != '\n' || buf[0] < '0' || buf[0] > '9')
		return -EPROTO;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || *end != '\n')
		return -EPROTO;
	return 0;
}

static inline int vmc_sysfs_write_u64(const char *attr, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, val);
	return vmc_sysfs_write(attr, buf);
}

static inline int vmc_reset(void)
{
	return vmc_sysfs_write("reset", "1");
}

/*
 * Empty the cache and configure it.  The extent size goes to the minimum
 * first, which every capacity allows, so that any configuration can follow
 * any other.  Logs which write failed.
 */
static inline int vmc_config(uint64_t capacity, uint32_t extent_size,
			     const char *policy)
{
	struct { const char *attr; char val[32]; } w[4] = {
		{ "extent_size", "" }, { "capacity", "" },
		{ "extent_size", "" }, { "policy", "" },
	};
	int i, ret;

	snprintf(w[0].val, sizeof(w[0].val), "%u", VMC_MIN_EXTENT);
	snprintf(w[1].val, sizeof(w[1].val), "%" PRIu64, capacity);
	snprintf(w[2].val, sizeof(w[2].val), "%u", extent_size);
	snprintf(w[3].val, sizeof(w[3].val), "%s", policy);

	ret = vmc_reset();
	if (ret) {
		fprintf(stderr, "# reset: %s\n", strerror(-ret));
		return ret;
	}
	/* The suite runs once on DRAM and once on VMEMCACHE_BACKING. */
	if (*vmc_backing()) {
		ret = vmc_sysfs_write("backing_dev", vmc_backing());
		if (ret) {
			fprintf(stderr, "# backing_dev=%s: %s\n", vmc_backing(),
				strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < 4; i++) {
		ret = vmc_sysfs_write(w[i].attr, w[i].val);
		if (ret) {
			fprintf(stderr, "# write %s=%s: %s\n", w[i].attr,
				w[i].val, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static inline int vmc_restore_defaults(void)
{
	return vmc_config(VMC_DEFAULT_CAPACITY, VMC_DEFAULT_EXTENT,
			  VMC_DEFAULT_POLICY);
}

/* ------------------------------------------------------------ values */

/* splitmix64: a well-mixed 64-bit word from any input. */
static inline uint64_t vmc_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Seed of the pattern of one value: a key id and a generation. */
static inline uint64_t vmc_seed(uint64_t id, uint64_t gen)
{
	return vmc_mix64(id * 0x100000001b3ULL ^ vmc_mix64(gen));
}

static inline uint64_t vmc_pattern_word(uint64_t seed, uint64_t idx)
{
	return vmc_mix64(seed ^ (idx * 0xd6e8feb86659fd93ULL));
}

/* Byte pos of the pattern of seed (little-endian words). */
static inline uint8_t vmc_pattern_byte(uint64_t seed, uint64_t pos)
{
	return (uint8_t)(vmc_pattern_word(seed, pos / 8) >> (8 * (pos % 8)));
}

/* Fill buf with bytes [start, start + len) of the pattern of seed. */
static inline void vmc_fill_at(void *buf, size_t len, uint64_t seed,
			       uint64_t start)
{
	uint8_t *p = buf;
	size_t i = 0;

	for (; i < len && (start + i) % 8; i++)
		p[i] = vmc_pattern_byte(seed, start + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t w = vmc_pattern_word(seed, (start + i) / 8);

		memcpy(p + i, &w, 8);
	}
	for (; i < len; i++)
		p[i] = vmc_pattern_byte(seed, start + i);
}

static inline void vmc_fill(void *buf, size_t len, uint64_t seed)
{
	vmc_fill_at(buf, len, seed, 0);
}

/*
 * Check that buf holds bytes [start, start + len) of the pattern of seed:
 * -1 if so, else the offset in buf of the first wrong byte.
 */
static inline int64_t vmc_check_at(const void *buf, size_t len, uint64_t seed,
				   uint64_t start)
{
	const uint8_t *p = buf;
	size_t i = 0;

	for (; i < len && (start + i) % 8; i++)
		if (p[i] != vmc_pattern_byte(seed, start + i))
			return (int64_t)i;
	for (; i + 8 <= len; i += 8) {
		uint64_t w = vmc_pattern_word(seed, (start + i) / 8), v;

		memcpy(&v, p + i, 8);
		if (v != w)
			break;	/* find the byte below */
	}
	for (; i < len; i++)
		if (p[i] != vmc_pattern_byte(seed, start + i))
			return (int64_t)i;
	return -1;
}

static inline int64_t vmc_check(const void *buf, size_t len, uint64_t seed)
{
	return vmc_check_at(buf, len, seed, 0);
}

/* The tests' random numbers, reproducible from a seed. */
static inline uint64_t vmc_rand(uint64_t *state)
{
	return vmc_xorshift64s(state);
}

/* Uniform in [lo, hi]. */
static inline uint64_t vmc_rand_range(uint64_t *state, uint64_t lo,
				      uint64_t hi)
{
	return lo + vmc_rand(state) % (hi - lo + 1);
}

/* The seed of a randomised test: $VMEMCACHE_SEED or the time; printed. */
static inline uint64_t vmc_test_seed(const char *what)
{
	const char *env = getenv("VMEMCACHE_SEED");
	struct timeval tv;
	uint64_t seed;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		gettimeofday(&tv, NULL);
		seed = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
	}
	if (!seed)
		seed = 1;
	fprintf(stderr, "# %s: seed %" PRIu64 " (rerun with VMEMCACHE_SEED=%" PRIu64 ")\n",
		what, seed, seed);
	return seed;
}

/* Put a value of len bytes of the pattern of seed. */
static inline int vmc_put_pattern(int fd, const void *key, uint32_t key_len,
				  uint64_t len, uint64_t seed, uint32_t flags)
{
	void *val = malloc(len ? len : 1);
	int ret;

	if (!val)
		return -ENOMEM;
	vmc_fill(val, len, seed);
	ret = vmc_put(fd, key, key_len, val, len, flags);
	free(val);
	return ret;
}

/*
 * Get a whole value (into a buffer one byte larger than needed) and check
 * its size and its bytes against the pattern of seed: 0, -errno of the get,
 * or -EBADMSG (size or bytes wrong; described on stderr).
 */
static inline int vmc_get_check(int fd, const void *key, uint32_t key_len,
				uint64_t len, uint64_t seed)
{
	uint64_t copied = 0, size = 0;
	uint8_t *buf = malloc(len + 1);
	int64_t bad;
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = vmc_get(fd, key, key_len, buf, len + 1, 0, &copied, &size);
	if (!ret && (size != len || copied != len)) {
		fprintf(stderr, "# value of %" PRIu64 " bytes expected: size %" PRIu64 ", copied %" PRIu64 "\n",
			len, size, copied);
		ret = -EBADMSG;
	}
	if (!ret) {
		bad = vmc_check(buf, len, seed);
		if (bad >= 0) {
			fprintf(stderr, "# value of %" PRIu64 " bytes differs at byte %" PRId64 "\n",
				len, bad);
			ret = -EBADMSG;
		}
	}
	free(buf);
	return ret;
}

/* Assert that key holds len bytes of the pattern of seed. */
#define VMC_ASSERT_VALUE(fd, key, key_len, len, seed)			\
	ASSERT_EQ(0, vmc_get_check(fd, key, key_len, len, seed))

/*
 * Assert that the stats st are those of a cache just made with pool bytes
 * of extent-byte extents: empty, its whole pool one free extent.
 */
#define VMC_ASSERT_FRESH_STATS(st, pool, extent) do {			\
	ASSERT_EQ(0u, (st).entries);					\
	ASSERT_EQ(0u, (st).pool_used);					\
	ASSERT_EQ(1u, (st).free_extents);				\
	ASSERT_EQ((uint64_t)(pool), (st).pool_size);			\
	ASSERT_EQ((uint64_t)(extent), (st).extent_size);		\
} while (0)

/* ------------------------------------------------------------ memory */

/* n pages of anonymous memory with protection prot (NULL on failure). */
static inline void *vmc_map(size_t pages, int prot)
{
	void *p = mmap(NULL, pages * VMC_PAGE, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Read-write memory followed by a PROT_NONE page: the returned pointer is
 * `tail` bytes before the inaccessible page, so an object of more than
 * `tail` bytes placed there straddles the boundary.  The memory is zeroed.
 */
static inline void *vmc_map_edge(size_t tail)
{
	size_t pages = (tail + VMC_PAGE - 1) / VMC_PAGE + 1;
	uint8_t *p = vmc_map(pages, PROT_READ | PROT_WRITE);
	uint8_t *guard;

	if (!p)
		return NULL;
	guard = p + (pages - 1) * VMC_PAGE;
	if (mprotect(guard, VMC_PAGE, PROT_NONE)) {
		munmap(p, pages * VMC_PAGE);
		return NULL;
	}
	return guard - tail;
}

/* An address that was mapped a moment ago and is not any more. */
static inline void *vmc_unmapped(void)
{
	void *p = vmc_map(1, PROT_READ | PROT_WRITE);

	if (p)
		munmap(p, VMC_PAGE);
	return p;
}

/* ------------------------------------------------------------ module */

static inline bool vmc_module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/" VMC_MODULE, &st);
}

static inline int vmc_module_unload(void)
{
	return syscall(SYS_delete_module, VMC_MODULE, O_NONBLOCK) ? -errno : 0;
}

static inline int vmc_module_load_file(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		ret = -errno;
		fprintf(stderr, "# open %s: %s\n", path, strerror(-ret));
		return ret;
	}
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static inline int vmc_module_load(const char *params)
{
	return vmc_module_load_file(vmc_ko_path(), params);
}

/* ------------------------------------------------------------ check */

#define VMC_DEBUGFS		"/sys/kernel/debug"
#define VMC_CHECK_FILE		VMC_DEBUGFS "/vmemcache/check"

/*
 * Read the module's consistency check (debugfs, mounted here if need be)
 * into buf: its length or -errno.  The check fails with EAGAIN when the
 * index resized under it, so that is retried.
 */
static inline ssize_t vmc_check_read(char *buf, size_t size)
{
	struct stat st;
	ssize_t n = -EAGAIN, len;
	int fd, tries;

	if (stat(VMC_DEBUGFS "/vmemcache", &st) &&
	    mount("debugfs", VMC_DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY)
		return -errno;
	for (tries = 0; n == -EAGAIN && tries < 50; tries++) {
		if (tries)
			usleep(10000);
		fd = open(VMC_CHECK_FILE, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		for (len = 0; (size_t)len < size - 1; len += n) {
			n = read(fd, buf + len, size - 1 - len);
			if (n <= 0)
				break;
		}
		n = n < 0 ? -errno : len;
		close(fd);
	}
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/*
 * Run the module's consistency check on an idle cache: 0 when it says
 * "ok" and the DRAM the entries account for is exactly dram_used (nothing
 * runs that could hold more), else -EBADMSG or -errno, with the report on
 * stderr.
 */
static inline int vmc_check_consistency(void)
{
	unsigned long long entries, used, free, dram, dram_entries;
	char buf[8192];
	ssize_t n = vmc_check_read(buf, sizeof(buf));

	if (n < 0) {
		fprintf(stderr, "# %s: %s\n", VMC_CHECK_FILE, strerror((int)-n));
		return (int)n;
	}
	if (sscanf(buf, "ok entries=%llu used=%llu free=%llu dram_used=%llu dram_entries=%llu\n",
		   &entries, &used, &free, &dram, &dram_entries) != 5) {
		fprintf(stderr, "# consistency check failed:\n%s", buf);
		return -EBADMSG;
	}
	if (dram != dram_entries) {
		fprintf(stderr, "# consistency check: dram_used %llu, entries account for %llu on an idle cache\n",
			dram, dram_entries);
		return -EBADMSG;
	}
	return 0;
}

/* Write a file of the module's debugfs directory: 0 or -errno. */
static inline int vmc_debugfs_write(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), VMC_DEBUGFS "/vmemcache/%s", file);
	return vmc_write_file(path, val);
}

/* Assert that the module finds its cache consistent. */
#define VMC_ASSERT_CONSISTENT()	ASSERT_EQ(0, vmc_check_consistency())

/* ------------------------------------------------------------ fixture */

/*
 * The fixture of every binary but module_test: the cache is emptied and
 * configured with the defaults before each test and after it, and the
 * test gets an open descriptor in self->fd.
 */
#define VMC_FIXTURE(name)						\
	FIXTURE(name) {							\
		int fd;							\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		self->fd = -1;						\
		ASSERT_EQ(0, vmc_restore_defaults());			\
		self->fd = vmc_open();					\
		ASSERT_LE(0, self->fd)					\
			TH_LOG("open %s: %s", vmc_dev_path(),		\
			       strerror(-self->fd));			\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		if (self->fd >= 0)					\
			close(self->fd);				\
		EXPECT_EQ(0, vmc_restore_defaults());			\
	}

/* Configure the cache of a test (empties it): an assertion. */
/*
 * Whether the module carries the test and benchmark tools (debugfs inject
 * and floor, policy lru_locked), as a VMEMCACHE_DEBUG=1 build does; its
 * dax_flushcache parameter, one of them, is the mark.
 */
static inline bool vmc_debug_build(void)
{
	return !access("/sys/module/vmemcache/parameters/dax_flushcache", F_OK);
}

/*
 * Skip the test (from a helper too: the harness's setjmp is left) when it
 * needs a VMEMCACHE_DEBUG=1 module and the one loaded is not.
 */
#define VMC_NEED_DEBUG(what)						\
	do {								\
		if (!vmc_debug_build())					\
			SKIP(longjmp(_metadata->env, 1),		\
			     "%s needs a VMEMCACHE_DEBUG=1 module", what); \
	} while (0)

#define VMC_CONFIG(capacity, extent_size, policy)			\
	do {								\
		if (!strcmp(policy, "lru_locked"))			\
			VMC_NEED_DEBUG("policy lru_locked");		\
		ASSERT_EQ(0, vmc_config(capacity, extent_size, policy))	\
			TH_LOG("cannot configure capacity %llu extent_size %u policy %s", \
			       (unsigned long long)(capacity),		\
			       (unsigned int)(extent_size), policy);	\
	} while (0)


/*
 * The kernel log from now on: a /dev/kmsg descriptor positioned after
 * every record already logged.  Returns the descriptor or -errno.
 */
static inline int vmc_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * Read the records logged since vmc_kmsg_open() or the previous call and
 * count those whose text holds @needle.  Returns the count or -errno.
 */
static inline int vmc_kmsg_count(int fd, const char *needle)
{
	char rec[1024];
	int count = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* records overwritten: go on */
			continue;
		if (n < 0)
			return errno == EAGAIN ? count : -errno;
		rec[n] = '\0';
		if (strstr(rec, needle))
			count++;
	}
}

/*
 * Run the caller on one CPU.  The buffered LRU applies the moves recorded
 * on different CPUs CPU by CPU, so LRU order is exact only among the
 * operations of one CPU: tests that check the exact order pin themselves.
 */
static inline int vmc_pin_one_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
		;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* ------------------------------------------------------------ pmem */

/* Physical address of the start of pmem0: "Persistent Memory (legacy)". */
static inline int vmc_pmem_phys(unsigned long long *start)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "Persistent Memory (legacy)") &&
		    sscanf(line, " %llx-", start) == 1) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

#define VMC_HARD_OFFLINE	"/sys/devices/system/memory/hard_offline_page"

/* memory_failure() of the page at pool offset off (pool at pmem0's start). */
static inline int vmc_hard_offline(uint64_t off)
{
	unsigned long long phys;
	char buf[32];
	int ret = vmc_pmem_phys(&phys);

	if (ret)
		return ret;
	snprintf(buf, sizeof(buf), "0x%llx", phys + off);
	return vmc_write_file(VMC_HARD_OFFLINE, buf);
}

/* The LRU policies: the buffered one (default) and the locked baseline. */
#define VMC_LRU_VARIANTS(name)						\
	FIXTURE_VARIANT(name) {						\
		const char *policy;					\
	};								\
	FIXTURE_VARIANT_ADD(name, buffered) {				\
		.policy = "lru",					\
	};								\
	FIXTURE_VARIANT_ADD(name, locked) {				\
		.policy = "lru_locked",					\
	}

#endif /* VMC_TEST_H */

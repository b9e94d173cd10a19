// SPDX-License-Identifier: GPL-2.0
/*
 * Media errors on the DAX backing (pmem pass only; a skip on DRAM):
 *
 *  - memory_failure() of a pool page (written to
 *    /sys/devices/system/memory/hard_offline_page, which reaches the pmem
 *    driver's pagemap and dax_holder_notify_failure()) drops the entries
 *    on that page, leaves the others intact, and takes the page out of
 *    service for good: garbage written into it never shows up in a value
 *    however much the cache is refilled, across reconfigurations too;
 *  - a bad block of the device (/sys/block/pmem0/badblocks) makes a get of
 *    a value on it fail with EIO and drop the entry, poisons that range
 *    only, and a device claimed with bad blocks leaves their pages out;
 *  - unbinding the pmem driver from the claimed device (kill_dax(), which
 *    notifies the whole device) drops every entry and retires the pool,
 *    and the device can be claimed again once it is back;
 *  - the same unbind under a private DAX cache: its gets and puts fail
 *    with ENXIO, nothing touches the old mapping, the descriptor closes;
 *  - a read-only device, or a descriptor not open for reading and
 *    writing, is refused;
 *  - memory failures racing the release of the device (reset of the
 *    shared cache, close of a private one) do not crash;
 *  - the debugfs consistency check agrees with a pool that has poison.
 *
 * The pool offset of an entry is known from the allocator's placement: on
 * an empty pool, values of one extent take consecutive extents from
 * offset 0 (the assertions on which keys disappear check this).
 */
#include "vmc_test.h"

#include <sys/wait.h>
#include <time.h>

#define BADBLOCKS	"/sys/block/pmem0/badblocks"
#define EXT		256U
#define PAGE		4096U
#define PER_PAGE	(PAGE / EXT)
#define PMEM		"/dev/pmem0"

#ifndef BLKROSET
#define BLKROSET	_IO(0x12, 93)	/* <linux/fs.h>, which sys/mount.h fights */
#endif

/* The tests need the pool on pmem; the DRAM pass skips them. */
static bool on_pmem(void)
{
	return !strcmp(vmc_backing(), "/dev/pmem0");
}

#define NOT_PMEM	"media errors need the pool on /dev/pmem0 (this pass: DRAM)"

VMC_FIXTURE(media);

/* Write garbage into the device at off, around the cache. */
static int scribble(uint64_t off, size_t len)
{
	void *buf = malloc(len);
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	memset(buf, 0xee, len);
	fd = open("/dev/pmem0", O_RDWR | O_CLOEXEC);	/* not exclusive */
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len || fsync(fd))
		ret = errno ? -errno : -EIO;
	close(fd);
	free(buf);
	return ret;
}

static uint32_t key_of(char *buf, const char *prefix, unsigned int i)
{
	return vmc_key(buf, 32, prefix, i);
}

/* Put n values of one extent each: on an empty pool, key i at i * EXT. */
static int put_row(int fd, const char *prefix, unsigned int n)
{
	char key[32];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = vmc_put_pattern(fd, key, key_of(key, prefix, i), EXT,
				      vmc_seed(i, prefix[0]), 0);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Check every key of prefix 0..n-1 that is present: its value must be
 * intact.  Returns how many are present, or -1 on a damaged value.
 */
static long check_present(int fd, const char *prefix, unsigned int n,
			  uint64_t len)
{
	char key[32];
	unsigned int i;
	long present = 0;
	uint32_t kl;
	int ret;

	for (i = 0; i < n; i++) {
		kl = key_of(key, prefix, i);
		if (vmc_exists(fd, key, kl, NULL))
			continue;
		ret = vmc_get_check(fd, key, kl, len, vmc_seed(i, prefix[0]));
		if (ret) {
			fprintf(stderr, "# %s%u: %s\n", prefix, i,
				strerror(-ret));
			return -1;
		}
		present++;
	}
	return present;
}

/* Evict everything, to reconfigure without a reset (which releases pmem). */
static void evict_all(struct __test_metadata *_metadata, int fd)
{
	int ret;

	while (!(ret = vmc_evict_lru(fd)))
		;
	ASSERT_EQ(-ESRCH, ret);
}

TEST_F(media, memory_failure_drops_entries_and_retires_the_page)
{
	struct vmemcache_stats st;
	unsigned int i, slots;
	char key[32];
	long present;

	if (!on_pmem())
		SKIP(return, NOT_PMEM);
	VMC_CONFIG(1 << 20, EXT, "lru");
	ASSERT_EQ(0, put_row(self->fd, "e", 4 * PER_PAGE));

	/* Page 1 of the pool holds e16..e31. */
	ASSERT_EQ(0, vmc_hard_offline(PAGE))
		TH_LOG("%s refused a pmem page: does memory_failure() reach the cache?",
		       VMC_HARD_OFFLINE);
	for (i = 0; i < 4 * PER_PAGE; i++) {
		uint32_t kl = key_of(key, "e", i);

		if (i / PER_PAGE == 1) {
			ASSERT_EQ(-ENOENT, vmc_get(self->fd, key, kl, NULL, 0,
						   0, NULL, NULL))
				TH_LOG("e%u is on the failed page", i);
		} else {
			ASSERT_EQ(0, vmc_get_check(self->fd, key, kl, EXT,
						   vmc_seed(i, 'e')));
		}
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	vmc_stats_log("after memory_failure", &st);
	ASSERT_EQ(3 * PER_PAGE, st.entries);
	ASSERT_EQ(PAGE, st.poisoned);
	ASSERT_EQ(3 * PER_PAGE * EXT, st.pool_used);
	ASSERT_EQ(0, vmc_check_consistency());

	/*
	 * Garbage in the retired page: any value placed there from now on
	 * would come back damaged.  Refill the pool twice over.
	 */
	ASSERT_EQ(0, scribble(PAGE, PAGE));
	slots = (1 << 20) / EXT - PER_PAGE;
	ASSERT_EQ(0, put_row(self->fd, "f", 2 * slots));
	present = check_present(self->fd, "f", 2 * slots, EXT);
	ASSERT_LE(0, present);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	vmc_stats_log("refilled", &st);
	ASSERT_EQ(slots, st.entries);
	ASSERT_EQ((uint64_t)slots, (uint64_t)present);
	ASSERT_EQ((uint64_t)slots * EXT, st.pool_used);
	ASSERT_EQ(PAGE, st.poisoned);
	ASSERT_EQ(st.pool_size, st.pool_used + st.poisoned);
	ASSERT_EQ(0, vmc_check_consistency());

	/* A new allocator on the same device keeps the page out of service. */
	evict_all(_metadata, self->fd);
	ASSERT_EQ(0, vmc_sysfs_write("capacity", "2M"));
	ASSERT_EQ(0, vmc_sysfs_write_u64("extent_size", 2 * EXT));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(PAGE, st.poisoned);
	ASSERT_EQ(2U, st.free_extents);
	slots = (2 << 20) / (2 * EXT) - PAGE / (2 * EXT);
	for (i = 0; i < slots + 64; i++)
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key,
					     key_of(key, "g", i), 2 * EXT,
					     vmc_seed(i, 'g'), 0));
	present = check_present(self->fd, "g", slots + 64, 2 * EXT);
	ASSERT_EQ((long)slots, present);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(PAGE, st.poisoned);
	ASSERT_EQ(st.pool_size, st.pool_used + st.poisoned);
	ASSERT_EQ(0, vmc_check_consistency());
}

TEST_F(media, memory_failure_in_free_space)
{
	struct vmemcache_stats st;

	if (!on_pmem())
		SKIP(return, NOT_PMEM);
	VMC_CONFIG(1 << 20, EXT, "lru");
	ASSERT_EQ(0, put_row(self->fd, "e", PER_PAGE));
	/* A page in the middle of the free run splits it in two. */
	ASSERT_EQ(0, vmc_hard_offline(128 * PAGE));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(PER_PAGE, st.entries);
	ASSERT_EQ(PAGE, st.poisoned);
	ASSERT_EQ(2U, st.free_extents);
	ASSERT_EQ(PER_PAGE, check_present(self->fd, "e", PER_PAGE, EXT));
	ASSERT_EQ(0, vmc_check_consistency());
	/* The same page again: nothing changes. */
	ASSERT_EQ(0, vmc_hard_offline(128 * PAGE));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(PAGE, st.poisoned);
	ASSERT_EQ(2U, st.free_extents);
	/* A page outside the pool (but on the device) changes nothing. */
	ASSERT_EQ(0, vmc_hard_offline(4 << 20));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(PAGE, st.poisoned);
}

/*
 * A bad block on the device's last page: a get of a value on it
 * fails with EIO and drops it; a value across the whole rest of the pool
 * is readable, so no extent was placed on the bad block; a new claim of
 * the device leaves the page out.  The bad block stays for the rest of
 * the boot (pmem cannot clear it without firmware support), which is why
 * it sits at the end of the device, outside the pools of other tests.
 */
TEST_F_TIMEOUT(media, bad_block_fails_get_with_eio_and_drops_the_entry, 300)
{
	uint64_t dev, base, copied, size, win;
	unsigned long long sectors;
	struct vmemcache_stats st;
	char key[32], bb[64], *buf, *big;
	unsigned int i;
	void *zero;
	FILE *f;

	if (!on_pmem())
		SKIP(return, NOT_PMEM);
	f = fopen("/sys/block/pmem0/size", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%llu", &sectors));
	fclose(f);
	dev = sectors * 512 / PAGE * PAGE;
	VMC_CONFIG(dev, EXT, "lru");

	/* A value of zero pages up to two pages before the end... */
	base = dev - 2 * PAGE;
	zero = mmap(NULL, dev, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, zero);
	ASSERT_EQ(0, vmc_put(self->fd, "filler", 6, zero, base, 0));
	/* ...then b0..b31 on the last two pages. */
	ASSERT_EQ(0, put_row(self->fd, "b", 2 * PER_PAGE));

	/* Sector 1 of the last page: b18 and b19. */
	snprintf(bb, sizeof(bb), "%llu 1\n",
		 (unsigned long long)(base + PAGE + 512) / 512);
	ASSERT_EQ(0, vmc_write_file(BADBLOCKS, bb));
	buf = malloc(2 * PAGE);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 2 * PER_PAGE; i++) {
		uint32_t kl = key_of(key, "b", i);

		if (i == PER_PAGE + 2 || i == PER_PAGE + 3)
			continue;
		ASSERT_EQ(0, vmc_get_check(self->fd, key, kl, EXT,
					   vmc_seed(i, 'b')));
	}
	ASSERT_EQ(-EIO, vmc_get(self->fd, "b18", 3, buf, EXT, 0, NULL, NULL));
	ASSERT_EQ(-ENOENT, vmc_get(self->fd, "b18", 3, buf, EXT, 0, NULL,
				   NULL));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(EXT, st.poisoned);
	ASSERT_EQ(-EIO, vmc_get(self->fd, "b19", 3, buf, EXT, 0, NULL, NULL));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "b19", 3, NULL));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	vmc_stats_log("after two EIO gets", &st);
	ASSERT_EQ(2 * EXT, st.poisoned);
	ASSERT_EQ(2 * PER_PAGE - 2 + 1, st.entries);	/* and the filler */
	ASSERT_EQ(base + (2 * PER_PAGE - 2) * EXT, st.pool_used);
	ASSERT_EQ(0, vmc_check_consistency());

	/*
	 * All healthy space in one value: it must avoid the bad sector, and
	 * its bytes around the hole read back (a get touching the bad
	 * block would fail with EIO).
	 */
	evict_all(_metadata, self->fd);
	ASSERT_EQ(0, vmc_put(self->fd, "all", 3, zero, dev - 512, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(st.pool_size - 512, st.pool_used);
	/* Its last two pages less the hole: across the bad sector. */
	win = 2 * PAGE - 512;
	memset(buf, 0xa5, win);
	ASSERT_EQ(0, vmc_get(self->fd, "all", 3, buf, win, base, &copied,
			     &size));
	ASSERT_EQ(win, copied);
	ASSERT_EQ(dev - 512, size);
	for (i = 0; i < win; i++)
		ASSERT_EQ(0, buf[i]) TH_LOG("byte %u", i);
	free(buf);

	/* The whole value at once: one extent of it is over 2 GiB - 4 KiB. */
	big = mmap(NULL, dev, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	memset(big + dev - 2 * PAGE, 0xa5, 2 * PAGE);
	ASSERT_EQ(0, vmc_get(self->fd, "all", 3, big, dev, 0, &copied, &size));
	ASSERT_EQ(dev - 512, copied);
	ASSERT_EQ(0, memcmp(big, zero, dev - 512));
	ASSERT_EQ(0xa5, (unsigned char)big[dev - 512]);
	munmap(big, dev);
	munmap(zero, dev);

	/*
	 * Claimed anew, the device leaves the page of the bad block out:
	 * the one free run ends before it.
	 */
	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "/dev/pmem0"));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(PAGE, st.poisoned);
	ASSERT_EQ(0U, st.pool_used);
	ASSERT_EQ(1U, st.free_extents);
}

TEST_F(media, device_removal_retires_the_pool)
{
	struct vmemcache_stats st;
	char ns[256];

	if (!on_pmem())
		SKIP(return, NOT_PMEM);
	ASSERT_EQ(0, vmc_pmem_namespace(ns, sizeof(ns)));
	VMC_CONFIG(1 << 20, EXT, "lru");
	ASSERT_EQ(0, put_row(self->fd, "e", PER_PAGE));

	ASSERT_EQ(0, vmc_write_file(VMC_ND_PMEM "unbind", ns));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	vmc_stats_log("device gone", &st);
	ASSERT_EQ(0U, st.entries);
	ASSERT_EQ(0U, st.pool_used);
	ASSERT_EQ(st.pool_size, st.poisoned);
	EXPECT_EQ(0, vmc_check_consistency());	/* and bind it again */
	ASSERT_EQ(-ENOENT, vmc_get(self->fd, "e0", 2, NULL, 0, 0, NULL, NULL));
	ASSERT_EQ(-ENOSPC, vmc_put_pattern(self->fd, "x", 1, EXT, 1, 0));

	/* Released, the device comes back and can be claimed again. */
	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_pmem_rebind(ns));
	ASSERT_EQ(0, vmc_config(1 << 20, EXT, "lru"));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(0U, st.poisoned);
	ASSERT_EQ(0, put_row(self->fd, "e", PER_PAGE));
	ASSERT_EQ(PER_PAGE, check_present(self->fd, "e", PER_PAGE, EXT));
}

/* A private cache on the DAX device open on dev: its descriptor or -errno. */
static int create_dax(int fd, int dev, uint64_t size, uint32_t extent)
{
	struct vmemcache_create cr = {
		.size = size,
		.extent_size = extent,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC | VMEMCACHE_CREATE_DAX,
		.backing_fd = dev,
	};
	int ret = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);

	return ret < 0 ? -errno : ret;
}

/* Open the device with flags and create a private cache on it. */
static int create_dax_path(int fd, int flags, uint64_t size)
{
	int dev = open(PMEM, flags | O_CLOEXEC), ret;

	if (dev < 0)
		return -errno;
	ret = create_dax(fd, dev, size, PAGE);
	close(dev);	/* the cache holds a claim of its own */
	return ret;
}

/* The device's read-only flag, as blockdev --setro/--setrw set it. */
static int set_ro(int on)
{
	int fd = open(PMEM, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, BLKROSET, &on))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The pmem driver unbound under a private DAX cache: the cache is told
 * (kill_dax() notifies the holder) and stops using the mapping, so every
 * get and put fails with ENXIO instead of reading freed memory (which
 * oopsed in copy_mc_to_kernel), and the descriptor still closes.  The
 * namespace is bound again whatever happened, for the tests after.
 */
TEST_F(media, private_cache_survives_device_removal)
{
	struct vmemcache_stats st;
	char ns[256], key[32], buf[PAGE];
	unsigned int i;
	int pfd, ret;

	if (!on_pmem())
		SKIP(return, NOT_PMEM);
	ASSERT_EQ(0, vmc_pmem_namespace(ns, sizeof(ns)));
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	pfd = create_dax_path(self->fd, O_RDWR, 8 << 20);
	ASSERT_LE(0, pfd) TH_LOG("create: %s", strerror(-pfd));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, vmc_put_pattern(pfd, key, key_of(key, "p", i),
					     PAGE, vmc_seed(i, 'p'), 0));
	ASSERT_EQ(0, vmc_get_check(pfd, key, key_of(key, "p", 7), PAGE,
				   vmc_seed(7, 'p')));

	ret = vmc_write_file(VMC_ND_PMEM "unbind", ns);
	EXPECT_EQ(0, ret);
	if (!ret) {
		for (i = 0; i < 100; i++)
			EXPECT_EQ(-ENXIO, vmc_get(pfd, key, key_of(key, "p", i),
						  buf, PAGE, 0, NULL, NULL))
				TH_LOG("p%u", i);
		EXPECT_EQ(-ENXIO, vmc_put_pattern(pfd, "new", 3, PAGE, 1, 0));
		EXPECT_EQ(-ENXIO, vmc_put_pattern(pfd, key,
						  key_of(key, "p", 1), PAGE, 1,
						  VMEMCACHE_PUT_REPLACE));
		EXPECT_EQ(0, vmc_stats(pfd, &st));
		EXPECT_EQ(100U, st.entries);
	}
	EXPECT_EQ(0, close(pfd));
	if (!ret)
		ASSERT_EQ(0, vmc_pmem_rebind(ns));

	/* Back, the device can be claimed and used again. */
	pfd = create_dax_path(self->fd, O_RDWR, 8 << 20);
	ASSERT_LE(0, pfd) TH_LOG("create: %s", strerror(-pfd));
	ASSERT_EQ(0, vmc_put_pattern(pfd, "p0", 2, PAGE, 9, 0));
	ASSERT_EQ(0, vmc_get_check(pfd, "p0", 2, PAGE, 9));
	close(pfd);
}

/*
 * The pool is written: a read-only device is refused with EROFS, by the
 * create ioctl (blkdev_get_by_dev() does not check) and by backing_dev,
 * and a descriptor not open for both reading and writing with EBADF.
 */
TEST_F(media, read_only_device_is_refused)
{
	int pfd, ret;

	if (!on_pmem())
		SKIP(return, NOT_PMEM);
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	EXPECT_EQ(-EBADF, create_dax_path(self->fd, O_WRONLY, 0));
	EXPECT_EQ(-EBADF, create_dax_path(self->fd, O_RDONLY, 0));

	ASSERT_EQ(0, set_ro(1));
	pfd = create_dax_path(self->fd, O_RDWR, 0);
	EXPECT_EQ(-EROFS, pfd);
	if (pfd >= 0) {
		EXPECT_NE(0, vmc_put(pfd, "ro", 2, "written", 7, 0));
		close(pfd);
	}
	EXPECT_EQ(-EROFS, vmc_sysfs_write("backing_dev", PMEM));
	ret = set_ro(0);
	ASSERT_EQ(0, ret);

	pfd = create_dax_path(self->fd, O_RDWR, 0);
	ASSERT_LE(0, pfd) TH_LOG("create: %s", strerror(-pfd));
	ASSERT_EQ(0, vmc_put(pfd, "rw", 2, "written", 7, 0));
	close(pfd);
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", PMEM));
}

/* Inject memory failures of the page at off until the deadline. */
static void inject_until(uint64_t off, time_t deadline)
{
	unsigned int ok = 0;

	while (time(NULL) < deadline)
		if (!vmc_hard_offline(off))
			ok++;
	_exit(ok ? 0 : 1);
}

/*
 * Memory failures of a pool page while the device changes hands: the
 * shared cache claims and resets (releases) it, a private cache is
 * created on it and closed, over and over.  A notification must find
 * the backing that holds the device or none, never one being freed
 * (dax_holder() is cleared by fs_put_dax() without waiting for
 * notifications in flight), nor take a private backing for the shared
 * cache.  The debug kernel's KASAN sees a use-after-free if it does.
 */
TEST_F_TIMEOUT(media, memory_failure_races_release, 300)
{
	unsigned int rounds = 0;
	time_t deadline;
	int status, pfd, ret;
	pid_t pid;

	if (!on_pmem())
		SKIP(return, NOT_PMEM);
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	deadline = time(NULL) + 15;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		inject_until(64 * PAGE, deadline);
	while (time(NULL) < deadline) {
		pfd = create_dax_path(self->fd, O_RDWR, 0);
		EXPECT_LE(0, pfd) TH_LOG("create: %s", strerror(-pfd));
		if (pfd >= 0) {
			vmc_put_pattern(pfd, "k", 1, PAGE, 1, 0);
			close(pfd);
		}
		ret = vmc_sysfs_write("backing_dev", PMEM);
		EXPECT_EQ(0, ret) TH_LOG("backing_dev: %s", strerror(-ret));
		vmc_put_pattern(self->fd, "k", 1, PAGE, 1, 0);
		EXPECT_EQ(0, vmc_reset());
		rounds++;
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	TH_LOG("%u rounds", rounds);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("no memory failure injected");
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", PMEM));
}
TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The DAX backing: backing_dev claims an emulated pmem device exclusively
 * (nobody can open it for exclusive use or mount it meanwhile), the pool
 * takes the device's size, values live there, and reset, "none" and
 * unload release it; bad devices fail with their documented errno and
 * leave the cache as it was.
 */
#include "vmc_test.h"

#include <sys/mount.h>

#define PMEM	"/dev/pmem0"

FIXTURE(backing) {
	int fd;
	uint64_t dev_size;
};

FIXTURE_SETUP(backing)
{
	char path[128], buf[64];
	uint64_t sectors;
	FILE *f;

	/* These tests choose the backing themselves, on either pass. */
	unsetenv("VMEMCACHE_BACKING");
	ASSERT_EQ(0, vmc_restore_defaults());
	self->fd = vmc_open();
	ASSERT_LE(0, self->fd);
	snprintf(path, sizeof(path), "/sys/block/pmem0/size");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("the guest has no %s", PMEM);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	sectors = strtoull(buf, NULL, 10);
	self->dev_size = sectors * 512 / VMC_PAGE * VMC_PAGE;
	ASSERT_LT(0U, self->dev_size);
}

FIXTURE_TEARDOWN(backing)
{
	close(self->fd);
	EXPECT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	EXPECT_EQ(0, vmc_restore_defaults());
}

static void expect_backing(struct __test_metadata *_metadata, const char *want)
{
	char buf[256];

	ASSERT_LT(0, vmc_sysfs_read("backing_dev", buf, sizeof(buf)));
	buf[strcspn(buf, "\n")] = '\0';
	ASSERT_STREQ(want, buf);
}

static int open_excl(void)
{
	int fd = open(PMEM, O_RDWR | O_EXCL);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

TEST_F(backing, claim_use_release)
{
	struct vmemcache_stats st;
	uint64_t cap;

	expect_backing(_metadata, "none");
	ASSERT_EQ(0, open_excl());
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", PMEM));
	expect_backing(_metadata, PMEM);
	ASSERT_EQ(0, vmc_sysfs_read_u64("capacity", &cap));
	ASSERT_EQ(self->dev_size, cap);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(self->dev_size / VMC_DEFAULT_EXTENT * VMC_DEFAULT_EXTENT,
		  st.pool_size);

	/* Claimed: no exclusive opener, no mount. */
	ASSERT_EQ(-EBUSY, open_excl());
	ASSERT_TRUE(!mkdir("/mnt", 0755) || errno == EEXIST);
	ASSERT_NE(0, mount(PMEM, "/mnt", "ext4", 0, NULL));
	ASSERT_EQ(EBUSY, errno);

	/* Values live on the device, across its whole size. */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "small", 5, 100, 1, 0));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "big", 3, 32 << 20, 2, 0));
	VMC_ASSERT_VALUE(self->fd, "small", 5, 100, 1);
	VMC_ASSERT_VALUE(self->fd, "big", 3, 32 << 20, 2);

	/* Not while it holds entries. */
	ASSERT_EQ(-EBUSY, vmc_sysfs_write("backing_dev", "none"));
	expect_backing(_metadata, PMEM);
	VMC_ASSERT_VALUE(self->fd, "small", 5, 100, 1);

	/*
	 * Reset empties the cache and releases the device: mounting it now
	 * fails only because it holds no filesystem.
	 */
	ASSERT_EQ(0, vmc_reset());
	expect_backing(_metadata, "none");
	ASSERT_EQ(0, open_excl());
	ASSERT_NE(0, mount(PMEM, "/mnt", "ext4", 0, NULL));
	ASSERT_NE(EBUSY, errno);
	ASSERT_EQ(0, vmc_sysfs_read_u64("capacity", &cap));
	ASSERT_EQ(VMC_DEFAULT_CAPACITY, cap);
}

TEST_F(backing, none_releases_and_capacity_shrinks)
{
	struct vmemcache_stats st;

	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", PMEM));
	/* Claiming the device the cache holds is a no-op. */
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", PMEM "\n"));
	ASSERT_EQ(0, vmc_sysfs_write("capacity", "16M"));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(16U << 20, st.pool_size);
	ASSERT_EQ(-EBUSY, open_excl());
	/* Larger than the device: refused, unchanged. */
	ASSERT_EQ(-EINVAL, vmc_sysfs_write_u64("capacity",
					       self->dev_size + VMC_PAGE));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(16U << 20, st.pool_size);

	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	expect_backing(_metadata, "none");
	ASSERT_EQ(0, open_excl());
}

TEST_F(backing, bad_devices)
{
	struct vmemcache_stats before, after;
	int excl;

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "keep", 4, 1000, 3, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &before));
	/* Busy first: the cache holds an entry. */
	ASSERT_EQ(-EBUSY, vmc_sysfs_write("backing_dev", PMEM));
	VMC_ASSERT_VALUE(self->fd, "keep", 4, 1000, 3);
	ASSERT_EQ(0, vmc_reset());

	ASSERT_EQ(-ENOENT, vmc_sysfs_write("backing_dev", "/dev/nonexistent"));
	ASSERT_EQ(-ENOTBLK, vmc_sysfs_write("backing_dev", "/dev/null"));
	ASSERT_EQ(-EINVAL, vmc_sysfs_write("backing_dev", "\n"));

	/* A block device that is not DAX capable: a RAM disk. */
	ASSERT_EQ(0, vmc_module_load_file("/vmc/brd.ko", "rd_nr=1 rd_size=8192"));
	ASSERT_EQ(-EOPNOTSUPP, vmc_sysfs_write("backing_dev", "/dev/ram0"));
	ASSERT_EQ(0, syscall(SYS_delete_module, "brd", O_NONBLOCK));

	/* The device is in use (opened exclusively by someone else). */
	excl = open(PMEM, O_RDWR | O_EXCL);
	ASSERT_LE(0, excl);
	ASSERT_EQ(-EBUSY, vmc_sysfs_write("backing_dev", PMEM));
	close(excl);
	expect_backing(_metadata, "none");
	ASSERT_EQ(0, vmc_stats(self->fd, &after));
	ASSERT_EQ(before.pool_size, after.pool_size);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * A private cache whose pool is a file on a DAX filesystem: ext4 made on
 * /dev/pmem0 and mounted -o dax.  Through the library (vmemcache_add() of
 * a directory there: values exact, eviction, the space held while the
 * cache lives and returned after, umount refused meanwhile) and through
 * VMEMCACHE_IOC_CREATE with VMEMCACHE_CREATE_FILE (hostile descriptors,
 * the caller's later O_APPEND, a truncated file, a filesystem shut down
 * under the cache).
 *
 * Runs in the DRAM pass, where /dev/pmem0 is free; needs Debian's mke2fs
 * in the guest (busybox's makes ext2 only), else SKIP.  The filesystem is
 * wiped at the end, for the tests that expect an empty device.
 */
#include "vmc_daxfs.h"

#include <libvmemcache.h>
#include <sys/statvfs.h>

#define MNT	VMC_DAXFS

static int vmc_create_file(int fd, uint64_t size, uint32_t policy,
			   uint32_t flags, int backing_fd)
{
	struct vmemcache_create cr = {
		.size = size,
		.extent_size = 256,
		.policy = policy,
		.flags = flags,
		.backing_fd = backing_fd,
	};
	int ret = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);

	return ret < 0 ? -errno : ret;
}

/* Free bytes of the filesystem at MNT, after its journal commits. */
static uint64_t fs_free(void)
{
	struct statvfs sv;

	sync();
	if (statvfs(MNT, &sv))
		return 0;
	return (uint64_t)sv.f_bfree * sv.f_frsize;
}

/* A file of @size bytes on the DAX mount, opened with @flags. */
static int dax_file(const char *name, off_t size, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), MNT "/%s", name);
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (size && fallocate(fd, 0, 0, size)) {
		close(fd);
		return -errno;
	}
	close(fd);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

FIXTURE(daxfs) {
	int fd;
	bool mounted;
	const char *skip;
};

/* This harness runs the test after a SKIP in its setup: skip it too. */
#define DAXFS_READY()							\
	do {								\
		if (self->skip)						\
			SKIP(return, "%s", self->skip);			\
	} while (0)

FIXTURE_SETUP(daxfs)
{
	int ret;

	self->fd = -1;
	self->skip = NULL;
	ASSERT_EQ(0, vmc_restore_defaults());
	ret = vmc_daxfs_mount(&self->mounted, &self->skip);
	if (ret == -1)
		SKIP(return, "%s", self->skip);
	ASSERT_EQ(0, ret) TH_LOG("%s", self->skip);
	self->fd = vmc_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(daxfs)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->mounted)
		EXPECT_EQ(0, vmc_daxfs_umount());
}

/*
 * vmemcache_add() of a directory on the DAX filesystem: the pool is a
 * file there (the space leaves the filesystem), values come back exact,
 * a full pool evicts, umount is refused while the cache lives,
 * and the space returns with vmemcache_delete().
 */
TEST_F(daxfs, lib_directory)
{
	const size_t pool = 8 << 20, big = 3 << 20;
	uint64_t free0, free1;
	VMEMcache *c;
	char *buf, key[32];
	size_t vsize, kept;
	int i;

	DAXFS_READY();
	buf = malloc(big);
	ASSERT_NE(NULL, buf);
	free0 = fs_free();
	c = vmemcache_new();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_set_size(c, pool));
	ASSERT_EQ(0, vmemcache_add(c, MNT)) TH_LOG("%s", vmemcache_errormsg());
	free1 = fs_free();
	TH_LOG("free %llu -> %llu bytes", (unsigned long long)free0,
	       (unsigned long long)free1);
	ASSERT_LE(free1 + pool, free0);
	/* The file has no name. */
	ASSERT_EQ(0, system("[ -z \"$(ls -A " MNT " | grep -v lost+found)\" ]"));

	vmc_fill(buf, 100, 1);
	ASSERT_EQ(0, vmemcache_put(c, "small", 5, buf, 100));
	vmc_fill(buf, big, 2);
	ASSERT_EQ(0, vmemcache_put(c, "big", 3, buf, big));
	memset(buf, 0, big);
	ASSERT_EQ((ssize_t)big, vmemcache_get(c, "big", 3, buf, big, 0, &vsize));
	ASSERT_EQ(big, vsize);
	ASSERT_EQ(-1, vmc_check(buf, big, 2));
	ASSERT_EQ(100, vmemcache_get(c, "small", 5, buf, big, 0, &vsize));
	ASSERT_EQ(-1, vmc_check(buf, 100, 1));
	ASSERT_EQ(0, vmemcache_evict(c, "small", 5));
	ASSERT_EQ(-1, vmemcache_get(c, "small", 5, buf, big, 0, &vsize));
	ASSERT_EQ(ENOENT, errno);

	/*
	 * A full pool evicts (which entries is the policy's business: its
	 * touches are batched per CPU): 11 MiB were put into 8, what stays
	 * fits and is exact, and the last put is there.
	 */
	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		vmc_fill(buf, 1 << 20, 10 + i);
		ASSERT_EQ(0, vmemcache_put(c, key, strlen(key), buf, 1 << 20))
			TH_LOG("%s: %s", key, vmemcache_errormsg());
	}
	kept = 0;
	if (vmemcache_get(c, "big", 3, buf, big, 0, &vsize) == (ssize_t)big) {
		ASSERT_EQ(-1, vmc_check(buf, big, 2));
		kept += big;
	}
	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (vmemcache_get(c, key, strlen(key), buf, big, 0, &vsize) < 0)
			continue;
		ASSERT_EQ((size_t)1 << 20, vsize);
		ASSERT_EQ(-1, vmc_check(buf, 1 << 20, 10 + i));
		kept += vsize;
	}
	ASSERT_LE(kept, pool);
	ASSERT_EQ((ssize_t)(1 << 20), vmemcache_get(c, "k7", 2, buf, big, 0,
						    &vsize));

	/* The cache's file keeps the filesystem busy. */
	ASSERT_NE(0, umount(MNT));
	ASSERT_EQ(EBUSY, errno);

	vmemcache_delete(c);
	ASSERT_LE(free0, fs_free() + (1 << 20));
	free(buf);
}

/* Descriptors that cannot hold a pool are refused, each with its errno. */
TEST_F(daxfs, hostile_descriptors)
{
	int dir, ro, p[2], dev, priv, small, tmp, ok;

	DAXFS_READY();
	dir = open(MNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir);
	EXPECT_EQ(-EINVAL, vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
					   VMEMCACHE_CREATE_FILE, dir));
	close(dir);

	ro = dax_file("ro", 4 << 20, O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
					  VMEMCACHE_CREATE_FILE, ro));
	close(ro);

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	EXPECT_EQ(-EINVAL, vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
					   VMEMCACHE_CREATE_FILE, p[1]));
	close(p[0]);
	close(p[1]);

	dev = vmc_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(-EINVAL, vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
					   VMEMCACHE_CREATE_FILE, dev));
	close(dev);
	priv = vmc_create_file(self->fd, 1 << 20, VMEMCACHE_POLICY_LRU,
			       VMEMCACHE_CREATE_CLOEXEC, 0);
	ASSERT_LE(0, priv);
	EXPECT_EQ(-EINVAL, vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
					   VMEMCACHE_CREATE_FILE, priv));
	close(priv);

	EXPECT_EQ(-EBADF, vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
					  VMEMCACHE_CREATE_FILE, -1));

	/* A file on tmpfs is not DAX. */
	tmp = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	ASSERT_LE(0, tmp);
	ASSERT_EQ(0, ftruncate(tmp, 4 << 20));
	EXPECT_EQ(-EOPNOTSUPP, vmc_create_file(self->fd, 0,
					       VMEMCACHE_POLICY_LRU,
					       VMEMCACHE_CREATE_FILE, tmp));
	close(tmp);

	/* Too small for the pool, or for any pool. */
	small = dax_file("small", 512 << 10, O_RDWR);
	ASSERT_LE(0, small);
	EXPECT_EQ(-EINVAL, vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
					   VMEMCACHE_CREATE_FILE, small));
	close(small);
	ok = dax_file("ok", 4 << 20, O_RDWR);
	ASSERT_LE(0, ok);
	EXPECT_EQ(-EINVAL, vmc_create_file(self->fd, 8 << 20,
					   VMEMCACHE_POLICY_LRU,
					   VMEMCACHE_CREATE_FILE, ok));
	/* Not both kinds of backing. */
	EXPECT_EQ(-EINVAL, vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
					   VMEMCACHE_CREATE_FILE |
					   VMEMCACHE_CREATE_DAX, ok));
	close(ok);
	ASSERT_EQ(0, system("rm -f " MNT "/ro " MNT "/small " MNT "/ok"));
}

/*
 * The raw ioctl: size 0 takes the whole file; the caller's O_APPEND set
 * later does not move where values go; policy none fills up with ENOSPC;
 * a file truncated under the cache fails gets with EIO and drops the
 * entry, and the cache still closes.
 */
TEST_F(daxfs, ioctl_file)
{
	struct vmemcache_version v;
	struct vmemcache_stats st;
	int f, c, i, ret;
	char key[16];

	DAXFS_READY();
	ASSERT_EQ(0, vmc_version(self->fd, &v));
	ASSERT_NE(0ULL, v.features & VMEMCACHE_FEAT_CREATE_FILE);
	f = dax_file("pool", (4 << 20) + 100, O_RDWR);
	ASSERT_LE(0, f);
	c = vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_NONE,
			    VMEMCACHE_CREATE_FILE | VMEMCACHE_CREATE_CLOEXEC, f);
	ASSERT_LE(0, c) TH_LOG("%s", strerror(-c));
	ASSERT_EQ(0, vmc_stats(c, &st));
	ASSERT_EQ(4u << 20, st.pool_size);
	ASSERT_EQ(0, fcntl(f, F_SETFL, O_APPEND));
	ASSERT_EQ(0, vmc_put_pattern(c, "a", 1, 1 << 20, 5, 0));
	ASSERT_EQ(0, vmc_put_pattern(c, "b", 1, 1 << 20, 6, 0));
	VMC_ASSERT_VALUE(c, "a", 1, 1 << 20, 5);
	VMC_ASSERT_VALUE(c, "b", 1, 1 << 20, 6);
	for (i = 0, ret = 0; i < 8 && !ret; i++) {
		snprintf(key, sizeof(key), "n%d", i);
		ret = vmc_put_pattern(c, key, strlen(key), 1 << 20, 7, 0);
	}
	ASSERT_EQ(-ENOSPC, ret);
	VMC_ASSERT_VALUE(c, "a", 1, 1 << 20, 5);

	/* Truncated under the cache: EIO, the entry dropped. */
	ASSERT_EQ(0, ftruncate(f, 0));
	ret = vmc_get_check(c, "b", 1, 1 << 20, 6);
	ASSERT_EQ(-EIO, ret);
	ASSERT_EQ(-ENOENT, vmc_get_check(c, "b", 1, 1 << 20, 6));
	close(f);
	close(c);
	ASSERT_EQ(0, unlink(MNT "/pool"));
}

/* A pool larger than the filesystem's free space fails at once. */
TEST_F(daxfs, lib_no_room)
{
	VMEMcache *c;

	DAXFS_READY();
	c = vmemcache_new();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_set_size(c, fs_free() + (64 << 20)));
	ASSERT_EQ(-1, vmemcache_add(c, MNT));
	ASSERT_EQ(ENOSPC, errno);
	TH_LOG("%s", vmemcache_errormsg());
	vmemcache_delete(c);
}

#ifndef EXT4_IOC_SHUTDOWN
#define EXT4_IOC_SHUTDOWN		_IOR('X', 125, __u32)
#define EXT4_GOING_FLAGS_NOLOGFLUSH	0x2
#endif

/*
 * The filesystem shut down under the cache (EXT4_IOC_SHUTDOWN, as a
 * filesystem that finds itself corrupt may do): gets and puts fail with
 * EIO, the entries read are dropped, the cache still closes, and the
 * filesystem unmounts after.
 */
TEST_F(daxfs, filesystem_shutdown)
{
	__u32 how = EXT4_GOING_FLAGS_NOLOGFLUSH;
	int f, c, dir;

	DAXFS_READY();
	f = dax_file("pool", 4 << 20, O_RDWR);
	ASSERT_LE(0, f);
	c = vmc_create_file(self->fd, 0, VMEMCACHE_POLICY_LRU,
			    VMEMCACHE_CREATE_FILE | VMEMCACHE_CREATE_CLOEXEC, f);
	ASSERT_LE(0, c) TH_LOG("%s", strerror(-c));
	close(f);
	ASSERT_EQ(0, vmc_put_pattern(c, "a", 1, 100000, 8, 0));
	VMC_ASSERT_VALUE(c, "a", 1, 100000, 8);
	dir = open(MNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir);
	ASSERT_EQ(0, ioctl(dir, EXT4_IOC_SHUTDOWN, &how))
		TH_LOG("EXT4_IOC_SHUTDOWN: %s", strerror(errno));
	close(dir);
	ASSERT_EQ(-EIO, vmc_get_check(c, "a", 1, 100000, 8));
	ASSERT_EQ(-ENOENT, vmc_get_check(c, "a", 1, 100000, 8));
	ASSERT_EQ(-EIO, vmc_put_pattern(c, "b", 1, 5000, 9, 0));
	ASSERT_EQ(-ENOENT, vmc_get_check(c, "b", 1, 5000, 9));
	close(c);
}

TEST_HARNESS_MAIN

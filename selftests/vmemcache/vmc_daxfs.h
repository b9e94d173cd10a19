/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A DAX filesystem for the tests: ext4 made on /dev/pmem0 with e2fsprogs'
 * mke2fs and mounted -o dax at VMC_DAXFS, in the DRAM pass only (the pmem
 * pass's shared cache holds the device).  Wiped again after, for the tests
 * that expect the device to hold no filesystem.
 */
#ifndef VMC_DAXFS_H
#define VMC_DAXFS_H

#include "vmc_test.h"

#include <sys/mount.h>
#include <sys/syscall.h>

#define VMC_DAXFS_DEV	"/dev/pmem0"
#define VMC_DAXFS	"/mnt/vmc_daxfs"

/* Whether statx() says the file @fd is served with DAX. */
static inline bool vmc_is_dax(int fd)
{
	struct statx stx = {};

	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx))
		return false;
	return stx.stx_attributes & STATX_ATTR_DAX;
}

/*
 * e2fsprogs' mke2fs: busybox's sh runs its own applet (ext2 only) for a
 * bare "mke2fs", so look for the real one by path.  NULL if none.
 */
static inline const char *vmc_find_mke2fs(void)
{
	static const char *const dirs[] = { "/vmc/bin", "/usr/sbin", "/sbin" };
	static char path[64];
	char cmd[160];
	unsigned int i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/mke2fs", dirs[i]);
		snprintf(cmd, sizeof(cmd),
			 "%s -V 2>&1 | grep -q 'EXT2FS Library'", path);
		if (!access(path, X_OK) && !system(cmd))
			return path;
	}
	return NULL;
}

/*
 * Make and mount the filesystem.  Returns 0 (mounted, with DAX; *@why is
 * NULL), -1 when the test is to be skipped (*@why says why), or -2 on a
 * failure of the test's own (*@why says which step).  The caller unmounts
 * with vmc_daxfs_umount() whenever *@mounted is set, even after -1 or -2.
 */
static inline int vmc_daxfs_mount(bool *mounted, const char **why)
{
	const char *mke2fs;
	char cmd[192];
	int fd;

	*mounted = false;
	if (*vmc_backing()) {
		*why = "pmem pass: the DAX filesystem runs in the DRAM pass, where " VMC_DAXFS_DEV " is free";
		return -1;
	}
	if (access(VMC_DAXFS_DEV, F_OK)) {
		*why = "no " VMC_DAXFS_DEV " in this guest";
		return -1;
	}
	mke2fs = vmc_find_mke2fs();
	if (!mke2fs) {
		*why = "no e2fsprogs mke2fs in the guest (scripts/check ships it with GUEST_EXTRA_FILES)";
		return -1;
	}
	snprintf(cmd, sizeof(cmd),
		 "%s -q -F -t ext4 -b 4096 -E nodiscard " VMC_DAXFS_DEV
		 " >/dev/null 2>&1", mke2fs);
	*why = "mke2fs " VMC_DAXFS_DEV " failed";
	if (system(cmd))
		return -2;
	*why = "mkdir " VMC_DAXFS " failed";
	if ((mkdir("/mnt", 0755) && errno != EEXIST) ||
	    (mkdir(VMC_DAXFS, 0755) && errno != EEXIST))
		return -2;
	if (mount(VMC_DAXFS_DEV, VMC_DAXFS, "ext4", 0, "dax")) {
		*why = "mount -t ext4 -o dax " VMC_DAXFS_DEV " failed (see dmesg)";
		return -1;
	}
	*mounted = true;
	fd = open(VMC_DAXFS, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	*why = "O_TMPFILE on " VMC_DAXFS " failed";
	if (fd < 0)
		return -2;
	if (!vmc_is_dax(fd)) {
		close(fd);
		*why = "ext4 on " VMC_DAXFS_DEV " is mounted without DAX";
		return -1;
	}
	close(fd);
	*why = NULL;
	return 0;
}

/*
 * Unmount the filesystem and wipe its superblock.  Returns 0 or -errno of
 * the step that failed.
 */
static inline int vmc_daxfs_umount(void)
{
	static const char zero[1 << 16];
	int fd, i, ret = 0;

	if (umount(VMC_DAXFS))
		return -errno;
	fd = open(VMC_DAXFS_DEV, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < 16 && !ret; i++)
		if (pwrite(fd, zero, sizeof(zero), i * sizeof(zero)) !=
		    (ssize_t)sizeof(zero))
			ret = -EIO;
	close(fd);
	return ret;
}

#endif /* VMC_DAXFS_H */

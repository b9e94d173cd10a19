// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * add.c -- vmemcache_add(): attaching a handle to its backing, chosen by
 * the type of the path as libvmemcache 0.8 chooses between a temporary
 * file in a directory and a DAX device:
 *
 *   directory on a DAX fs a private cache in an O_TMPFILE file there
 *   other directory       a private DRAM cache (VMEMCACHE_IOC_CREATE)
 *   DAX block device      a private cache on that device
 *   the vmemcache device  the shared cache
 *   device-DAX (daxX.Y)   ENOTSUP, saying how to use its memory instead
 *   other char device     EINVAL ("not a Device DAX" in libvmemcache)
 *   anything else         ENOTDIR (O_TMPFILE in a non-directory)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmc_internal.h"

const char *vmc_device_path(void)
{
	const char *p = secure_getenv("VMEMCACHE_DEV");

	return p && *p ? p : "/dev/vmemcache";
}

/*
 * Open the vmemcache device @path and ask its version.  With @may_read_only,
 * a user with read permission alone gets a read-only descriptor, on which
 * the kernel runs gets and refuses puts and evicts with EBADF.  Returns the
 * descriptor, or -1 with errno (ENOTTY: not a vmemcache device) and no
 * message recorded.
 */
static int vmc_open_device(const char *path, struct vmemcache_version *ver,
			   int may_read_only)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), err;

	if (fd < 0 && errno == EACCES && may_read_only)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(ver, 0, sizeof(*ver));
	if (vmc_ioctl(fd, VMEMCACHE_IOC_VERSION, ver)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Attaches to the shared cache device @path (a character device). */
static int vmc_attach_shared(VMEMcache *cache, const char *path,
			     const char *func)
{
	struct vmemcache_version ver;
	struct stat st;
	int fd;

	fd = vmc_open_device(path, &ver, 1);
	if (fd < 0 && errno == ENOTTY)
		return vmc_fail(EINVAL, func,
				"%s is neither the vmemcache device nor a DAX device",
				path);
	if (fd < 0)
		return vmc_fail(errno, func, "cannot open %s", path);
	/* The node may have been replaced since the caller's stat(). */
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode)) {
		close(fd);
		return vmc_fail(EINVAL, func, "%s is not a character device",
				path);
	}
	/*
	 * api_version is frozen (nonzero): it only tells the vmemcache device
	 * from another answering the same ioctl.  Capabilities are decided
	 * by the feature bits, where they are used.
	 */
	if (ver.api_version < 1) {
		close(fd);
		return vmc_fail(EPROTO, func,
				"%s reports unsupported API version %u",
				path, ver.api_version);
	}
	cache->ver = ver;
	cache->fd = fd;
	cache->kind = VMC_SHARED;
	return 0;
}

static int vmc_file_is_dax(int fd);

/*
 * Describes the slow tier vmemcache_add_tier() asked for in @cr, as
 * vmemcache_add() picks a pool by @path's type: "" a DRAM pool, a
 * directory on a DAX filesystem an O_TMPFILE file there (another
 * directory: DRAM), a DAX block device that device.  *@tfd: a descriptor
 * the caller closes after the create, or -1.
 */
static int vmc_tier_describe(VMEMcache *cache, struct vmemcache_create *cr,
			     int *tfd, const char *func)
{
	const char *path = cache->tier_path;
	size_t size = cache->tier_size;
	struct stat st;
	int fd;

	*tfd = -1;
	cr->flags |= VMEMCACHE_CREATE_TIER;
	cr->slow_size = size;
	if (!*path)
		goto dram;
	if (stat(path, &st))
		return vmc_fail(errno, func, "slow tier %s", path);
	if (S_ISBLK(st.st_mode)) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return vmc_fail(errno, func, "cannot open %s", path);
		cr->slow_flags = VMEMCACHE_CREATE_DAX;
		cr->slow_fd = *tfd = fd;
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return vmc_fail(EINVAL, func,
				"slow tier %s is neither a directory nor a DAX device",
				path);
	if (!size)
		size = VMEMCACHE_MIN_POOL;
	fd = open(path, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 && vmc_file_is_dax(fd)) {
		if (fallocate(fd, 0, 0, (off_t)size)) {
			close(fd);
			return vmc_fail(errno, func,
					"cannot make a slow tier of %zu bytes in %s",
					size, path);
		}
		cr->slow_flags = VMEMCACHE_CREATE_FILE;
		cr->slow_fd = *tfd = fd;
		cr->slow_size = size;
		return 0;
	}
	if (fd >= 0)
		close(fd);
dram:
	cr->slow_size = size ? size : VMEMCACHE_MIN_POOL;
	return 0;
}

/*
 * Creates a private cache through the device: on DRAM (@kind
 * VMC_PRIVATE_DRAM, @backing_fd -1), on the DAX block device @backing_fd
 * (VMC_PRIVATE_DAX) or in the file @backing_fd (VMC_PRIVATE_FILE).
 */
static int vmc_attach_private(VMEMcache *cache, enum vmc_kind kind,
			      int backing_fd, const char *path,
			      const char *func)
{
	const char *dev = vmc_device_path();
	struct vmemcache_version ver;
	struct vmemcache_create cr;
	int fd, pfd, err, tfd = -1;

	fd = vmc_open_device(dev, &ver, 0);
	if (fd < 0)
		return vmc_fail(errno == ENOTTY ? ENODEV : errno, func,
				"cannot open %s for a private cache (is the vmemcache module loaded?)",
				dev);
	if (!(ver.features & VMEMCACHE_FEAT_PRIVATE)) {
		close(fd);
		return vmc_fail(ENOTSUP, func,
				"%s has no private caches (no VMEMCACHE_FEAT_PRIVATE)",
				dev);
	}
	if (kind == VMC_PRIVATE_FILE &&
	    !(ver.features & VMEMCACHE_FEAT_CREATE_FILE)) {
		close(fd);
		return vmc_fail(ENOTSUP, func,
				"%s is on a DAX filesystem, but the vmemcache module cannot keep a pool in a file (upgrade it)",
				path);
	}
	memset(&cr, 0, sizeof(cr));
	cr.size = cache->size;
	if (backing_fd < 0 && !cr.size)
		cr.size = VMEMCACHE_MIN_POOL;
	/* The kernel's extents are multiples of 8 bytes. */
	cr.extent_size = (__u32)((cache->extent_size + 7) / 8 * 8);
	if (cache->extent_size > UINT32_MAX - 7)
		cr.extent_size = UINT32_MAX;	/* too big: EINVAL */
	cr.policy = cache->repl_p == VMEMCACHE_REPLACEMENT_NONE ?
		    VMEMCACHE_POLICY_NONE : VMEMCACHE_POLICY_LRU;
	cr.flags = VMEMCACHE_CREATE_CLOEXEC;
	if (kind == VMC_PRIVATE_DAX)
		cr.flags |= VMEMCACHE_CREATE_DAX;
	else if (kind == VMC_PRIVATE_FILE)
		cr.flags |= VMEMCACHE_CREATE_FILE;
	if (kind != VMC_PRIVATE_DRAM)
		cr.backing_fd = backing_fd;
	else if (!cache->tier_path && vmc_map_wanted(&ver))
		cr.flags |= VMEMCACHE_CREATE_MAPPED;
	if (cache->numa_node != -1) {
		if (kind != VMC_PRIVATE_DRAM) {
			close(fd);
			return vmc_fail(EINVAL, func,
					"%s: a NUMA node applies to a DRAM pool only",
					path);
		}
		if (!(ver.features & VMEMCACHE_FEAT_NUMA_NODE)) {
			close(fd);
			return vmc_fail(ENOTSUP, func,
					"%s cannot put a pool on a NUMA node (no VMEMCACHE_FEAT_NUMA_NODE; upgrade the module)",
					dev);
		}
		cr.flags |= VMEMCACHE_CREATE_NUMA_NODE;
		cr.numa_node = cache->numa_node;
	}
	if (cache->tier_path) {
		if (!(ver.features & VMEMCACHE_FEAT_TIERS)) {
			close(fd);
			return vmc_fail(ENOTSUP, func,
					"%s cannot put a cache in tiers (no VMEMCACHE_FEAT_TIERS; upgrade the module)",
					dev);
		}
		if (cache->repl_p == VMEMCACHE_REPLACEMENT_NONE) {
			close(fd);
			return vmc_fail(EINVAL, func,
					"a cache in tiers needs the LRU policy");
		}
		if (vmc_tier_describe(cache, &cr, &tfd, func)) {
			err = errno;
			close(fd);
			errno = err;
			return -1;
		}
	}
	pfd = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);
	err = errno;
	close(fd);
	if (tfd >= 0)
		close(tfd);
	if (pfd < 0 && cache->tier_path && err == EBUSY)
		return vmc_fail(err, func, "%s or slow tier %s is in use",
				path, cache->tier_path);
	if (pfd < 0 && cache->numa_node != -1 && err == ENODEV)
		return vmc_fail(err, func,
				"NUMA node %d is not online or has no memory",
				cache->numa_node);
	if (pfd < 0 && cache->numa_node != -1 && err == ENOMEM)
		return vmc_fail(err, func,
				"NUMA node %d has no room for a pool of %llu bytes",
				cache->numa_node, (unsigned long long)cr.size);
	if (pfd < 0) {
		switch (err) {
		case EDQUOT:
			return vmc_fail(err, func,
					"%s: a bound on private caches is reached (/sys/class/misc/vmemcache/private_limit or private_per_user)",
					path);
		case EOPNOTSUPP:
			return vmc_fail(err, func,
					kind == VMC_PRIVATE_FILE ?
					"%s is not on a DAX filesystem" :
					"%s is not a DAX-capable device", path);
		case EBUSY:
			return vmc_fail(err, func, "%s is in use", path);
		default:
			return vmc_fail(err, func,
					"cannot create a private cache on %s",
					path);
		}
	}
	cache->ver = ver;
	cache->fd = pfd;
	cache->kind = kind;
	if (cr.flags & VMEMCACHE_CREATE_MAPPED)
		vmc_map_attach(cache);
	return 0;
}

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX		0x00200000
#endif

/*
 * Whether the file @fd is served with DAX: statx()'s STATX_ATTR_DAX is
 * the kernel's own answer for that inode (IS_DAX), the test the module
 * makes.  The mount's dax option or the directory's FS_XFLAG_DAX would
 * only predict it: ext4 and xfs have dax=always, dax=never and
 * dax=inode, where the file inherits the flag of its directory, and
 * refuse DAX on some devices.  The glibc wrapper of statx() is not in
 * every glibc libvmemcache-kdev builds with: the system call.
 */
static int vmc_file_is_dax(int fd)
{
	struct statx stx;

	memset(&stx, 0, sizeof(stx));
	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx))
		return 0;
	return (stx.stx_attributes_mask & STATX_ATTR_DAX) &&
	       (stx.stx_attributes & STATX_ATTR_DAX);
}

/*
 * A private cache for the directory @path: in a temporary file there when
 * the directory is on a DAX filesystem, as libvmemcache kept its pool, else
 * in DRAM.  The file has no name (O_TMPFILE): the kernel keeps it open
 * while the cache lives and the filesystem frees it with the last close.
 * It is sized with fallocate() at once, so a filesystem without room
 * fails here (ENOSPC) rather than at a put.
 */
static int vmc_attach_dir(VMEMcache *cache, const char *path,
			  const char *func)
{
	size_t size = cache->size ? cache->size : VMEMCACHE_MIN_POOL;
	long page = sysconf(_SC_PAGESIZE);
	int tfd, ret, err;

	tfd = open(path, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	/* No temporary files there (a filesystem without them): DRAM. */
	if (tfd < 0 || !vmc_file_is_dax(tfd)) {
		if (tfd >= 0)
			close(tfd);
		return vmc_attach_private(cache, VMC_PRIVATE_DRAM, -1, path,
					  func);
	}
	if (page > 0 && size % (size_t)page)
		size += (size_t)page - size % (size_t)page;
	if (size > INT64_MAX)
		err = EFBIG;
	else
		err = fallocate(tfd, 0, 0, (off_t)size) ? errno : 0;
	if (err) {
		close(tfd);
		return vmc_fail(err, func,
				"cannot make a pool of %zu bytes in %s", size,
				path);
	}
	ret = vmc_attach_private(cache, VMC_PRIVATE_FILE, tfd, path, func);
	err = errno;
	close(tfd);
	errno = err;
	return ret;
}

/*
 * Whether the character device @st is a device-DAX instance (/dev/daxX.Y,
 * how CXL memory and pmem namespaces in devdax mode appear): its sysfs
 * node belongs to the dax bus (or, on older kernels, the dax class).
 */
static int vmc_is_device_dax(const struct stat *st)
{
	char link[64], target[256];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/subsystem",
		 major(st->st_rdev), minor(st->st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	base = strrchr(target, '/');
	return !strcmp(base ? base + 1 : target, "dax");
}

VMC_API int vmemcache_add(VMEMcache *cache, const char *path)
{
	struct stat st;
	int bfd, ret, err;

	if (!cache)
		return vmc_fail(EINVAL, __func__, "cache is NULL");
	/* libvmemcache's texts: programs compare them. */
	if (!path)
		return vmc_fail_as(EINVAL, "invalid (NULL) path");
	if (cache->fd >= 0)
		return vmc_fail_as(EBUSY, "the cache is already initialized");
	if (cache->size && cache->extent_size > cache->size)
		return vmc_fail_as(EINVAL,
				   "extent size %zu larger than cache size: %zu bytes",
				   cache->extent_size, cache->size);
	/* Where libvmemcache's open(O_TMPFILE) in @path would fail. */
	if (stat(path, &st))
		return vmc_fail_as(errno, "open: %s", strerror(errno));

	if (S_ISDIR(st.st_mode)) {
		/* libvmemcache creates its temporary file there. */
		if (access(path, W_OK | X_OK))
			return vmc_fail_as(errno, "open: %s", strerror(errno));
		return vmc_attach_dir(cache, path, __func__);
	}
	if (S_ISBLK(st.st_mode)) {
		bfd = open(path, O_RDWR | O_CLOEXEC);
		if (bfd < 0)
			return vmc_fail(errno, __func__, "cannot open %s",
					path);
		ret = vmc_attach_private(cache, VMC_PRIVATE_DAX, bfd, path,
					 __func__);
		err = errno;
		close(bfd);
		errno = err;
		return ret;
	}
	/*
	 * The module cannot bind the dax bus (only one driver may, and
	 * dax_kmem is it); the device's memory becomes usable as a NUMA
	 * node instead.
	 */
	if (S_ISCHR(st.st_mode) && vmc_is_device_dax(&st))
		return vmc_fail(ENOTSUP, __func__,
				"%s is a device-DAX device, which vmemcache cannot use directly: make its memory a NUMA node (daxctl reconfigure-device --mode=system-ram %s) and put the cache there (VMEMCACHE_CREATE_NUMA_NODE, or numa_node in /sys/class/misc/vmemcache for the shared cache)",
				path, path);
	if (S_ISCHR(st.st_mode) && cache->tier_path)
		return vmc_fail(EINVAL, __func__,
				"%s: tiers are per private cache; the shared cache has one",
				path);
	if (S_ISCHR(st.st_mode) && cache->numa_node != -1)
		return vmc_fail(EINVAL, __func__,
				"%s: the shared cache's NUMA node is set in /sys/class/misc/vmemcache/numa_node",
				path);
	if (S_ISCHR(st.st_mode))
		return vmc_attach_shared(cache, path, __func__);
	return vmc_fail_as(ENOTDIR, "open: %s", strerror(ENOTDIR));
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * add.c -- vmemcache_add(): attaching a handle to its backing.  For now
 * only the system-wide shared cache (a character device answering
 * VMEMCACHE_IOC_VERSION, normally /dev/vmemcache) is supported.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmc_internal.h"

/* Opens the shared cache device @path and checks its API version. */
static int vmc_attach_shared(VMEMcache *cache, const char *path,
			     const char *func)
{
	struct vmemcache_version ver;
	struct stat st;
	int fd, err;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return vmc_fail(errno, func, "cannot open %s", path);
	/* The node may have been replaced since the caller's stat(). */
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode)) {
		close(fd);
		return vmc_fail(ENOTSUP, func, "%s is not a character device",
				path);
	}
	memset(&ver, 0, sizeof(ver));
	if (vmc_ioctl(fd, VMEMCACHE_IOC_VERSION, &ver)) {
		err = errno;
		close(fd);
		return vmc_fail(err, func, "%s is not a vmemcache device",
				path);
	}
	if (ver.api_version < 1) {
		close(fd);
		return vmc_fail(EPROTO, func,
				"%s reports unsupported API version %u",
				path, ver.api_version);
	}
	cache->ver = ver;
	cache->fd = fd;
	return 0;
}

VMC_API int vmemcache_add(VMEMcache *cache, const char *path)
{
	struct stat st;

	if (!cache)
		return vmc_fail(EINVAL, __func__, "cache is NULL");
	if (!path)
		return vmc_fail(EINVAL, __func__, "path is NULL");
	if (cache->fd >= 0)
		return vmc_fail(EALREADY, __func__, "cache already in use");
	if (stat(path, &st))
		return vmc_fail(errno, __func__, "cannot access %s", path);
	if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))
		return vmc_fail(ENOTSUP, __func__,
				"%s: private caches (in a directory or file) are not supported yet; use the shared cache device /dev/vmemcache",
				path);
	if (!S_ISCHR(st.st_mode))
		return vmc_fail(ENOTSUP, __func__,
				"%s is not a character device", path);
	return vmc_attach_shared(cache, path, __func__);
}

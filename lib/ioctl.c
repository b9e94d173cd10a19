// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ioctl.c -- talking to the device: the checks made before an ioctl
 * (attached handle, key size that fits the ABI) and the ioctl wrapper.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "vmc_internal.h"

int vmc_check_attached(const VMEMcache *cache, const char *func)
{
	if (!cache)
		return vmc_fail(EINVAL, func, "cache is NULL");
	if (cache->fd < 0)
		return vmc_fail(EINVAL, func,
				"cache not attached (call vmemcache_add first)");
	return 0;
}

int vmc_check_key(size_t key_size, const char *func)
{
	if (key_size == 0)
		return vmc_fail(EINVAL, func, "key size is 0");
	if (key_size > UINT32_MAX)
		return vmc_fail(EINVAL, func, "key size %zu too large",
				key_size);
	return 0;
}

int vmc_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, cmd, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -1 : 0;
}

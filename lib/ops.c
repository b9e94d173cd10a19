// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ops.c -- the key-value operations of an attached cache: put, get,
 * exists and evict, each one ioctl on the shared cache device.
 */
#include <errno.h>
#include <string.h>

#include "vmc_internal.h"

/* One VMEMCACHE_IOC_PUT on behalf of the public function @func. */
static int vmc_put(VMEMcache *cache, const void *key, size_t key_size,
		   const void *value, size_t value_size, unsigned int flags,
		   const char *func)
{
	struct vmemcache_put put;

	if (vmc_check_attached(cache, func) || vmc_check_key(key_size, func))
		return -1;
	memset(&put, 0, sizeof(put));
	put.key = vmc_uptr(key);
	put.key_len = (__u32)key_size;
	put.value = vmc_uptr(value);
	put.value_len = value_size;
	put.flags = flags;
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_PUT, &put))
		return vmc_fail_kernel(errno, func);
	return 0;
}

VMC_API int vmemcache_put(VMEMcache *cache, const void *key, size_t key_size,
			  const void *value, size_t value_size)
{
	return vmc_put(cache, key, key_size, value, value_size, 0, __func__);
}

VMC_API int vmemcache_put_flags(VMEMcache *cache, const void *key,
				size_t key_size, const void *value,
				size_t value_size, unsigned int flags)
{
	return vmc_put(cache, key, key_size, value, value_size, flags,
		       __func__);
}

/* One VMEMCACHE_IOC_GET; the number of bytes copied or -1 with errno set. */
static ssize_t vmc_get_once(VMEMcache *cache, const void *key,
			    size_t key_size, void *vbuf, size_t vbufsize,
			    size_t offset, size_t *vsize)
{
	struct vmemcache_get get;

	memset(&get, 0, sizeof(get));
	get.key = vmc_uptr(key);
	get.key_len = (__u32)key_size;
	get.buf = vmc_uptr(vbuf);
	get.buf_len = vbufsize;
	get.offset = offset;
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_GET, &get))
		return -1;
	if (vsize)
		*vsize = (size_t)get.value_size;
	return (ssize_t)get.copied;
}

VMC_API ssize_t vmemcache_get(VMEMcache *cache, const void *key,
			      size_t key_size, void *vbuf, size_t vbufsize,
			      size_t offset, size_t *vsize)
{
	ssize_t ret;

	if (vmc_check_attached(cache, __func__) ||
	    vmc_check_key(key_size, __func__))
		return -1;
	ret = vmc_get_once(cache, key, key_size, vbuf, vbufsize, offset,
			   vsize);
	if (ret < 0 && errno == ENOENT && cache->on_miss) {
		cache->on_miss(cache, key, key_size, cache->on_miss_arg);
		ret = vmc_get_once(cache, key, key_size, vbuf, vbufsize,
				   offset, vsize);
	}
	if (ret < 0)
		return vmc_fail_kernel(errno, __func__);
	return ret;
}

VMC_API int vmemcache_exists(VMEMcache *cache, const void *key,
			     size_t key_size, size_t *vsize)
{
	struct vmemcache_exists ex;

	if (vmc_check_attached(cache, __func__) ||
	    vmc_check_key(key_size, __func__))
		return -1;
	memset(&ex, 0, sizeof(ex));
	ex.key = vmc_uptr(key);
	ex.key_len = (__u32)key_size;
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_EXISTS, &ex)) {
		if (errno == ENOENT)
			return 0;
		return vmc_fail_kernel(errno, __func__);
	}
	if (vsize)
		*vsize = (size_t)ex.value_size;
	return 1;
}

VMC_API int vmemcache_evict(VMEMcache *cache, const void *key, size_t ksize)
{
	struct vmemcache_evict ev;

	if (vmc_check_attached(cache, __func__))
		return -1;
	memset(&ev, 0, sizeof(ev));
	if (key) {
		if (vmc_check_key(ksize, __func__))
			return -1;
		ev.key = vmc_uptr(key);
		ev.key_len = (__u32)ksize;
	}
	if (vmc_ioctl(cache->fd, VMEMCACHE_IOC_EVICT, &ev))
		return vmc_fail_kernel(errno, __func__);
	if (key && cache->on_evict)
		cache->on_evict(cache, key, ksize, cache->on_evict_arg);
	return 0;
}

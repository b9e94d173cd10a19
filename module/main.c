// SPDX-License-Identifier: GPL-2.0
/*
 * vmemcache: a scalable LRU key-value cache on DRAM or DAX memory, exposed
 * as the misc device /dev/vmemcache and shared by every process that may
 * open it.  This file holds the module parameters (load-time defaults of
 * the sysfs tunables) and module init/exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "vmemcache.h"

static u64 capacity = 64ULL << 20;
static unsigned int extent_size = 256;
static char *policy = "lru";
static ushort mode = 0600;
static char *backing_dev;
/* Not given: half of the RAM (U64_MAX marks "not given"). */
static u64 private_limit = U64_MAX;

static int vmc_param_set_size(const char *val, const struct kernel_param *kp)
{
	return vmc_parse_size(val, kp->arg);
}

static const struct kernel_param_ops vmc_param_size_ops = {
	.set = vmc_param_set_size,
	.get = param_get_ullong,
};

module_param_cb(capacity, &vmc_param_size_ops, &capacity, 0444);
MODULE_PARM_DESC(capacity, "Initial pool size in bytes; K, M, G, T suffixes (default 64M)");
module_param(extent_size, uint, 0444);
MODULE_PARM_DESC(extent_size, "Initial allocation unit in bytes (default 256)");
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy, "Initial replacement policy: lru or none (default lru)");
module_param(backing_dev, charp, 0444);
MODULE_PARM_DESC(backing_dev, "DAX block device to claim as the pool, e.g. /dev/pmem0 (default: DRAM)");
/* 0: the current value is the private_limit attribute of the device. */
module_param_cb(private_limit, &vmc_param_size_ops, &private_limit, 0);
MODULE_PARM_DESC(private_limit, "Most bytes of DRAM pools all private caches may hold; 0: no bound (default: half of RAM)");
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permissions of /dev/vmemcache (default 0600)");

static struct vmc_device vmc_dev = {
	.misc = {
		.minor = MISC_DYNAMIC_MINOR,
		.name = "vmemcache",
		.fops = &vmc_fops,
		.groups = vmc_attr_groups,
	},
};

static int __init vmc_init(void)
{
	const struct vmc_repl_ops *repl = vmc_repl_find(policy);
	int ret;

	if (!repl) {
		pr_err("unknown policy '%s'\n", policy);
		return -EINVAL;
	}
	if (mode & ~0777) {
		pr_err("bad device mode %#o\n", mode);
		return -EINVAL;
	}
	ret = vmc_extent_cache_init();
	if (ret)
		return ret;
	vmc_dev.cache = vmc_cache_create(capacity, extent_size, repl);
	if (IS_ERR(vmc_dev.cache)) {
		ret = PTR_ERR(vmc_dev.cache);
		pr_err("cannot create the cache (capacity %llu, extent_size %u): %d\n",
		       capacity, extent_size, ret);
		goto err_extent;
	}
	if (backing_dev && strcmp(backing_dev, "none")) {
		ret = vmc_cache_set_backing(vmc_dev.cache, backing_dev);
		if (ret)
			goto err_cache;
	}
	/* Private caches may hold half of the RAM in DRAM pools at first. */
	if (private_limit == U64_MAX)
		private_limit = (u64)totalram_pages() << (PAGE_SHIFT - 1);
	vmc_private_set_limit(private_limit);
	vmc_dev.misc.mode = mode;
	ret = misc_register(&vmc_dev.misc);
	if (ret)
		goto err_cache;
	vmc_debugfs_init(vmc_dev.cache);
	return 0;

err_cache:
	vmc_cache_destroy(vmc_dev.cache);
err_extent:
	vmc_extent_cache_exit();
	return ret;
}

static void __exit vmc_exit(void)
{
	vmc_debugfs_exit();
	misc_deregister(&vmc_dev.misc);
	vmc_cache_destroy(vmc_dev.cache);
	vmc_extent_cache_exit();
}

module_init(vmc_init);
module_exit(vmc_exit);

MODULE_DESCRIPTION("Scalable LRU key-value cache on DRAM or DAX memory");
MODULE_LICENSE("GPL");

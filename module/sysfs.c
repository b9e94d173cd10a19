// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs attributes of the vmemcache device (/sys/class/misc/vmemcache/):
 * the tunables capacity, extent_size, policy, backing_dev and numa_node,
 * which may be changed only while the cache is empty, reset, which empties it,
 * dram_limit, which bounds the DRAM of the entries at any time, and the
 * statistics, like zram's: mm_stat (memory) and io_stat (operations), one
 * line each, numa_stat (the pool's pages per NUMA node, one line),
 * debug_stat (lock counters, not an ABI), and the deprecated
 * stat line and stats/ directory of one-value files.  No read drains the
 * policy's buffers (vmc_cache_read_stats()): reading costs the cache's
 * users no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <uapi/linux/vmemcache.h>

#include "vmemcache.h"

static struct vmc_cache *dev_to_cache(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct vmc_device, misc)->cache;
}

/**
 * vmc_parse_size() - parse a byte count with an optional K, M, G or T suffix
 * @buf: text, optionally ending in a newline
 * @size: out: the value
 *
 * Unlike memparse(), rejects trailing junk and values that overflow.
 *
 * Return: 0 or -EINVAL.
 */
int vmc_parse_size(const char *buf, u64 *size)
{
	static const char suffixes[] = "KMGT";
	char num[32];
	unsigned int shift = 0;
	const char *s;
	size_t len;
	u64 val;

	len = strcspn(buf, "\n");
	if (!len || len >= sizeof(num) || (buf[len] && strcmp(buf + len, "\n")))
		return -EINVAL;
	memcpy(num, buf, len);
	num[len] = '\0';
	s = strchr(suffixes, toupper(num[len - 1]));
	if (s) {
		shift = 10 * (s - suffixes + 1);
		num[--len] = '\0';
	}
	if (kstrtou64(num, 0, &val) || val > (U64_MAX >> shift))
		return -EINVAL;
	*size = val << shift;
	return 0;
}

/*
 * The result of a tunable's write.  EBUSY from a cache that holds entries
 * gets its line in the kernel log here; a busy backing device has logged
 * its own already.
 */
static ssize_t vmc_store_result(struct device *dev, const char *name, int ret,
				size_t count)
{
	if (ret == -EBUSY && atomic_long_read(&dev_to_cache(dev)->nr_entries))
		dev_info(dev, "%s cannot change while the cache holds entries; write 1 to reset first\n",
			 name);
	return ret ? ret : count;
}

static ssize_t capacity_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct vmc_config cfg;

	vmc_cache_get_config(dev_to_cache(dev), &cfg);
	return sysfs_emit(buf, "%llu\n", cfg.capacity);
}

static ssize_t capacity_store(struct device *dev,
			      struct device_attribute *attr, const char *buf,
			      size_t count)
{
	u64 capacity;
	int ret;

	ret = vmc_parse_size(buf, &capacity);
	if (!ret && capacity < VMC_MIN_CAPACITY)
		ret = -EINVAL;
	if (!ret)
		ret = vmc_cache_reconfigure(dev_to_cache(dev), capacity, 0,
					    NULL);
	return vmc_store_result(dev, attr->attr.name, ret, count);
}
static DEVICE_ATTR_RW(capacity);

static ssize_t extent_size_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct vmc_config cfg;

	vmc_cache_get_config(dev_to_cache(dev), &cfg);
	return sysfs_emit(buf, "%u\n", cfg.extent_size);
}

static ssize_t extent_size_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	u32 extent_size;
	int ret;

	if (kstrtou32(buf, 0, &extent_size) || extent_size < VMC_MIN_EXTENT)
		ret = -EINVAL;
	else
		ret = vmc_cache_reconfigure(dev_to_cache(dev), 0, extent_size,
					    NULL);
	return vmc_store_result(dev, attr->attr.name, ret, count);
}
static DEVICE_ATTR_RW(extent_size);

static ssize_t policy_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vmc_config cfg;

	vmc_cache_get_config(dev_to_cache(dev), &cfg);
	return sysfs_emit(buf, "%s\n", cfg.policy->name);
}

static ssize_t policy_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	const struct vmc_repl_ops *policy = vmc_repl_find(buf);
	int ret = -EINVAL;

	if (policy)
		ret = vmc_cache_reconfigure(dev_to_cache(dev), 0, 0, policy);
	return vmc_store_result(dev, attr->attr.name, ret, count);
}
static DEVICE_ATTR_RW(policy);

static ssize_t backing_dev_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct vmc_config cfg;

	vmc_cache_get_config(dev_to_cache(dev), &cfg);
	return sysfs_emit(buf, "%s\n", cfg.backing_dev);
}

static ssize_t backing_dev_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	char *path;
	int ret;

	path = kstrndup(buf, PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	strim(path);
	if (!*path)
		ret = -EINVAL;
	else
		ret = vmc_cache_set_backing(dev_to_cache(dev),
					    strcmp(path, "none") ? path : NULL);
	kfree(path);
	return vmc_store_result(dev, attr->attr.name, ret, count);
}
static DEVICE_ATTR_RW(backing_dev);

static ssize_t numa_node_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct vmc_config cfg;

	vmc_cache_get_config(dev_to_cache(dev), &cfg);
	return sysfs_emit(buf, "%d\n", cfg.numa_node);
}

static ssize_t numa_node_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	int nid, ret;

	if (kstrtoint(buf, 10, &nid))
		return -EINVAL;
	ret = vmc_cache_set_numa_node(dev_to_cache(dev), nid);
	return vmc_store_result(dev, attr->attr.name, ret, count);
}
static DEVICE_ATTR_RW(numa_node);

/* The pool's pages on node 0, 1, ... nr_node_ids - 1, on one line. */
static ssize_t numa_stat_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	ssize_t len = 0;
	u64 *pages;
	int nid;

	pages = kcalloc(nr_node_ids, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	vmc_cache_node_pages(dev_to_cache(dev), pages);
	for (nid = 0; nid < nr_node_ids; nid++)
		len += sysfs_emit_at(buf, len, "%s%llu", nid ? " " : "",
				     pages[nid]);
	len += sysfs_emit_at(buf, len, "\n");
	kfree(pages);
	return len;
}
static DEVICE_ATTR_RO(numa_stat);

static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	unsigned int val;
	int ret;

	if (kstrtouint(buf, 0, &val) || val != 1)
		return -EINVAL;
	ret = vmc_cache_reset(dev_to_cache(dev));
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(reset);

/*
 * dram_limit bounds the DRAM the entries hold (dram_used); writing 0 gives
 * back the default, which follows the capacity.  It may change at any
 * time: the next put evicts down to it.
 */
static ssize_t dram_limit_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  vmc_cache_dram_limit(dev_to_cache(dev)));
}

static ssize_t dram_limit_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t count)
{
	u64 limit;
	int ret;

	ret = vmc_parse_size(buf, &limit);
	if (ret)
		return ret;
	vmc_cache_set_dram_limit(dev_to_cache(dev), limit);
	return count;
}
static DEVICE_ATTR_RW(dram_limit);

static void vmc_read_stats(struct device *dev, struct vmemcache_stats *st)
{
	vmc_cache_read_stats(dev_to_cache(dev), st, false);
}

/* Deprecated: one read-only file per counter, readable by anyone, in stats/. */
#define VMC_STAT_ATTR(field)						\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct vmemcache_stats st = {};					\
									\
	vmc_read_stats(dev, &st);					\
	return sysfs_emit(buf, "%llu\n", st.field);			\
}									\
static DEVICE_ATTR_RO(field)

VMC_STAT_ATTR(puts);
VMC_STAT_ATTR(gets);
VMC_STAT_ATTR(hits);
VMC_STAT_ATTR(misses);
VMC_STAT_ATTR(evictions);
VMC_STAT_ATTR(entries);
VMC_STAT_ATTR(pool_used);
VMC_STAT_ATTR(dram_used);
VMC_STAT_ATTR(free_extents);
VMC_STAT_ATTR(pool_size);
VMC_STAT_ATTR(poisoned);
VMC_STAT_ATTR(lru_lock_acquired);
VMC_STAT_ATTR(lru_lock_contended);
VMC_STAT_ATTR(alloc_lock_acquired);
VMC_STAT_ATTR(alloc_lock_contended);

static struct attribute *vmc_stat_attrs[] = {
	&dev_attr_puts.attr,
	&dev_attr_gets.attr,
	&dev_attr_hits.attr,
	&dev_attr_misses.attr,
	&dev_attr_evictions.attr,
	&dev_attr_entries.attr,
	&dev_attr_pool_used.attr,
	&dev_attr_dram_used.attr,
	&dev_attr_free_extents.attr,
	&dev_attr_pool_size.attr,
	&dev_attr_poisoned.attr,
	&dev_attr_lru_lock_acquired.attr,
	&dev_attr_lru_lock_contended.attr,
	&dev_attr_alloc_lock_acquired.attr,
	&dev_attr_alloc_lock_contended.attr,
	NULL,
};

static const struct attribute_group vmc_stat_group = {
	.name = "stats",
	.attrs = vmc_stat_attrs,
};

/*
 * Deprecated (mm_stat and io_stat say it all): ten counters on one line,
 * puts gets hits misses evictions entries pool_used dram_used free_extents
 * pool_size.
 */
static ssize_t stat_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct vmemcache_stats st = {};

	vmc_read_stats(dev, &st);
	return sysfs_emit(buf,
			  "%8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu\n",
			  st.puts, st.gets, st.hits, st.misses, st.evictions,
			  st.entries, st.pool_used, st.dram_used,
			  st.free_extents, st.pool_size);
}
static DEVICE_ATTR_RO(stat);

/*
 * The memory: pool_size pool_used dram_used dram_limit entries free_extents
 * poisoned, like zram's mm_stat.  Columns are only ever appended.
 */
static ssize_t mm_stat_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct vmemcache_stats st = {};

	vmc_read_stats(dev, &st);
	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu %8llu %8llu %8llu\n",
			  st.pool_size, st.pool_used, st.dram_used,
			  vmc_cache_dram_limit(dev_to_cache(dev)), st.entries,
			  st.free_extents, st.poisoned);
}
static DEVICE_ATTR_RO(mm_stat);

/*
 * The operations: puts gets hits misses evictions expired, like zram's
 * io_stat.  Columns are only ever appended.
 */
static ssize_t io_stat_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct vmemcache_stats st = {};

	vmc_read_stats(dev, &st);
	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu %8llu %8llu\n",
			  st.puts, st.gets, st.hits, st.misses, st.evictions,
			  vmc_cache_expired(dev_to_cache(dev)));
}
static DEVICE_ATTR_RO(io_stat);

/*
 * Not an ABI, like zram's debug_stat: its version line changes with its
 * layout.  Version 1: lru_lock_acquired lru_lock_contended
 * alloc_lock_acquired alloc_lock_contended.
 */
#define VMC_DEBUG_STAT_VERSION	1

static ssize_t debug_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct vmemcache_stats st = {};

	vmc_read_stats(dev, &st);
	return sysfs_emit(buf, "version: %d\n%8llu %8llu %8llu %8llu\n",
			  VMC_DEBUG_STAT_VERSION, st.lru_lock_acquired,
			  st.lru_lock_contended, st.alloc_lock_acquired,
			  st.alloc_lock_contended);
}
static DEVICE_ATTR_RO(debug_stat);

/*
 * The private caches (VMEMCACHE_IOC_CREATE): private_limit bounds the DRAM
 * pools they hold together (0: no bound), private_used and private_caches
 * say what they hold now.
 */
static ssize_t private_limit_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct vmc_private_usage u;

	vmc_private_get_usage(&u);
	return sysfs_emit(buf, "%llu\n", u.limit);
}

static ssize_t private_limit_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	u64 limit;
	int ret;

	ret = vmc_parse_size(buf, &limit);
	if (ret)
		return ret;
	vmc_private_set_limit(limit);
	return count;
}
static DEVICE_ATTR_RW(private_limit);

static ssize_t private_used_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct vmc_private_usage u;

	vmc_private_get_usage(&u);
	return sysfs_emit(buf, "%llu\n", u.used);
}
static DEVICE_ATTR_RO(private_used);

static ssize_t private_caches_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct vmc_private_usage u;

	vmc_private_get_usage(&u);
	return sysfs_emit(buf, "%llu\n", u.caches);
}
static DEVICE_ATTR_RO(private_caches);

static ssize_t private_per_user_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct vmc_private_usage u;

	vmc_private_get_usage(&u);
	return sysfs_emit(buf, "%llu\n", u.per_user);
}

static ssize_t private_per_user_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	u64 max;

	if (kstrtou64(buf, 0, &max))
		return -EINVAL;
	vmc_private_set_per_user(max);
	return count;
}
static DEVICE_ATTR_RW(private_per_user);

static struct attribute *vmc_attrs[] = {
	&dev_attr_capacity.attr,
	&dev_attr_extent_size.attr,
	&dev_attr_policy.attr,
	&dev_attr_backing_dev.attr,
	&dev_attr_reset.attr,
	&dev_attr_dram_limit.attr,
	&dev_attr_stat.attr,
	&dev_attr_mm_stat.attr,
	&dev_attr_io_stat.attr,
	&dev_attr_debug_stat.attr,
	&dev_attr_private_limit.attr,
	&dev_attr_private_used.attr,
	&dev_attr_private_caches.attr,
	&dev_attr_private_per_user.attr,
	&dev_attr_numa_node.attr,
	&dev_attr_numa_stat.attr,
	NULL,
};

static const struct attribute_group vmc_attr_group = {
	.attrs = vmc_attrs,
};

const struct attribute_group *vmc_attr_groups[] = {
	&vmc_attr_group,
	&vmc_stat_group,
	NULL,
};

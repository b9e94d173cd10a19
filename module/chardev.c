// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/vmemcache file operations: the ioctl ABI of
 * include/uapi/linux/vmemcache.h, with every argument checked before the
 * cache sees it.
 *
 * Commands are dispatched on their number alone; the size encoded in the
 * command is the size of the caller's struct, which may be larger than
 * ours (a newer program) as long as what we do not know is zero.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/vmemcache.h>

#include "vmemcache.h"

/* Keys up to this long are copied to the stack instead of the heap. */
#define VMC_KEY_ONSTACK	128

/**
 * vmc_arg_in() - read an ioctl's argument struct
 * @cmd: command as the caller issued it
 * @expect: the command we implement under the same number
 * @karg: our struct
 * @ksize: its size
 * @uarg: the caller's struct
 *
 * Return: 0, -ENOTTY for a direction mismatch, -EINVAL for a struct
 * smaller than ours, -E2BIG for non-zero bytes past ours, -EFAULT.
 */
static int vmc_arg_in(unsigned int cmd, unsigned int expect, void *karg,
		      size_t ksize, void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);

	if (_IOC_DIR(cmd) != _IOC_DIR(expect))
		return -ENOTTY;
	if (usize < ksize)
		return -EINVAL;
	if (!(_IOC_DIR(cmd) & _IOC_WRITE)) {
		memset(karg, 0, ksize);
		return 0;
	}
	return copy_struct_from_user(karg, ksize, uarg, usize);
}

/* Write our struct back, zeroing the rest of a larger caller's struct. */
static int vmc_arg_out(unsigned int cmd, const void *karg, size_t ksize,
		       void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);

	if (copy_to_user(uarg, karg, ksize))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

static bool vmc_nonzero(const void *p, size_t len)
{
	return memchr_inv(p, 0, len);
}

/**
 * vmc_key_in() - copy a key from userspace
 * @ukey: user pointer
 * @len: key length
 * @stack: VMC_KEY_ONSTACK bytes the key may be copied to
 * @key: out: the key
 *
 * Return: 0, -EINVAL for a bad length, -EFAULT, -ENOMEM.
 */
static int vmc_key_in(u64 ukey, u32 len, u8 *stack, struct vmc_key *key)
{
	void *data = stack;

	if (!len || len > VMEMCACHE_MAX_KEY_SIZE)
		return -EINVAL;
	if (len > VMC_KEY_ONSTACK) {
		data = kvmalloc(len, GFP_KERNEL);
		if (!data)
			return -ENOMEM;
	}
	if (copy_from_user(data, u64_to_user_ptr(ukey), len)) {
		if (data != stack)
			kvfree(data);
		return -EFAULT;
	}
	key->data = data;
	key->len = len;
	return 0;
}

static void vmc_key_free(struct vmc_key *key, u8 *stack)
{
	if (key->data != stack)
		kvfree(key->data);
}

static long vmc_ioctl_version(unsigned int cmd, void __user *uarg)
{
	struct vmemcache_version v;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_VERSION, &v, sizeof(v), uarg);
	if (ret)
		return ret;
	v.api_version = VMEMCACHE_API_VERSION;
	v.features = VMEMCACHE_FEAT_PUT_REPLACE | VMEMCACHE_FEAT_EVICT_LRU |
		     VMEMCACHE_FEAT_LOCK_STATS;
	v.max_key_size = VMEMCACHE_MAX_KEY_SIZE;
	return vmc_arg_out(cmd, &v, sizeof(v), uarg);
}

static long vmc_ioctl_put(struct vmc_cache *c, unsigned int cmd,
			  void __user *uarg)
{
	struct vmemcache_put p;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_PUT, &p, sizeof(p), uarg);
	if (ret)
		return ret;
	if ((p.flags & ~VMEMCACHE_PUT_FLAGS) ||
	    vmc_nonzero(p.reserved, sizeof(p.reserved)))
		return -EINVAL;
	if (!p.key_len || p.key_len > VMEMCACHE_MAX_KEY_SIZE || !p.value_len)
		return -EINVAL;
	return vmc_cache_put(c, u64_to_user_ptr(p.key), p.key_len,
			     u64_to_user_ptr(p.value), p.value_len,
			     p.flags & VMEMCACHE_PUT_REPLACE);
}

static long vmc_ioctl_get(struct vmc_cache *c, unsigned int cmd,
			  void __user *uarg)
{
	u8 stack[VMC_KEY_ONSTACK];
	struct vmemcache_get g;
	struct vmc_key key;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_GET, &g, sizeof(g), uarg);
	if (ret)
		return ret;
	if (g.flags || vmc_nonzero(g.reserved, sizeof(g.reserved)))
		return -EINVAL;
	if (!g.buf && g.buf_len)
		return -EFAULT;
	ret = vmc_key_in(g.key, g.key_len, stack, &key);
	if (ret)
		return ret;
	ret = vmc_cache_get(c, &key, u64_to_user_ptr(g.buf), g.buf_len,
			    g.offset, &g.copied, &g.value_size);
	vmc_key_free(&key, stack);
	if (ret)
		return ret;
	return vmc_arg_out(cmd, &g, sizeof(g), uarg);
}

static long vmc_ioctl_exists(struct vmc_cache *c, unsigned int cmd,
			     void __user *uarg)
{
	u8 stack[VMC_KEY_ONSTACK];
	struct vmemcache_exists x;
	struct vmc_key key;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_EXISTS, &x, sizeof(x), uarg);
	if (ret)
		return ret;
	if (x.flags || vmc_nonzero(x.reserved, sizeof(x.reserved)))
		return -EINVAL;
	ret = vmc_key_in(x.key, x.key_len, stack, &key);
	if (ret)
		return ret;
	ret = vmc_cache_exists(c, &key, &x.value_size);
	vmc_key_free(&key, stack);
	if (ret)
		return ret;
	return vmc_arg_out(cmd, &x, sizeof(x), uarg);
}

static long vmc_ioctl_evict(struct vmc_cache *c, unsigned int cmd,
			    void __user *uarg)
{
	u8 stack[VMC_KEY_ONSTACK];
	struct vmemcache_evict ev;
	struct vmc_key key;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_EVICT, &ev, sizeof(ev), uarg);
	if (ret)
		return ret;
	if (ev.flags || vmc_nonzero(ev.reserved, sizeof(ev.reserved)))
		return -EINVAL;
	if (!ev.key_len)
		return ev.key ? -EINVAL : vmc_cache_evict(c, NULL);
	ret = vmc_key_in(ev.key, ev.key_len, stack, &key);
	if (ret)
		return ret;
	ret = vmc_cache_evict(c, &key);
	vmc_key_free(&key, stack);
	return ret;
}

static long vmc_ioctl_stats(struct vmc_cache *c, unsigned int cmd,
			    void __user *uarg)
{
	struct vmemcache_stats st;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_STATS, &st, sizeof(st), uarg);
	if (ret)
		return ret;
	vmc_cache_stats(c, &st);
	return vmc_arg_out(cmd, &st, sizeof(st), uarg);
}

static long vmc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmc_cache *c = file->private_data;
	void __user *uarg = (void __user *)arg;

	BUILD_BUG_ON(sizeof(struct vmemcache_version) != 64);
	BUILD_BUG_ON(sizeof(struct vmemcache_put) != 64);
	BUILD_BUG_ON(sizeof(struct vmemcache_get) != 88);
	BUILD_BUG_ON(sizeof(struct vmemcache_exists) != 56);
	BUILD_BUG_ON(sizeof(struct vmemcache_evict) != 48);
	BUILD_BUG_ON(sizeof(struct vmemcache_stats) != 128);

	if (_IOC_TYPE(cmd) != VMEMCACHE_IOC_MAGIC)
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(VMEMCACHE_IOC_VERSION):
		return vmc_ioctl_version(cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_PUT):
		return vmc_ioctl_put(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_GET):
		return vmc_ioctl_get(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_EXISTS):
		return vmc_ioctl_exists(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_EVICT):
		return vmc_ioctl_evict(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_STATS):
		return vmc_ioctl_stats(c, cmd, uarg);
	}
	return -ENOTTY;
}

static int vmc_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;

	file->private_data = container_of(misc, struct vmc_device, misc)->cache;
	return 0;
}

const struct file_operations vmc_fops = {
	.owner = THIS_MODULE,
	.open = vmc_open,
	.unlocked_ioctl = vmc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

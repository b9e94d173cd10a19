// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/vmemcache file operations: the ioctl ABI of
 * include/uapi/linux/vmemcache.h, with every argument checked, and every
 * key copied in (vmc_key_in()), before the cache sees it; and the private
 * caches that VMEMCACHE_IOC_CREATE makes, each an anonymous inode whose
 * file operations share the same dispatch.  The top layer: it calls the
 * cache (cache.h), the evicted logs (evict_log.c) and the private-cache
 * quota (private.c).
 *
 * Commands are dispatched on their number alone; the size encoded in the
 * command is the size of the caller's struct, which may be larger than
 * ours (a newer program) as long as what we do not know is zero.
 */
#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/cred.h>
#include <linux/uaccess.h>
#include <uapi/linux/vmemcache.h>

#include "compat.h"
#include "evict_log.h"
#include "chardev.h"
#include "usercopy.h"

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
static __always_inline int vmc_arg_in(unsigned int cmd, unsigned int expect,
				      void *karg, size_t ksize,
				      void __user *uarg)
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
	/*
	 * The usual caller's struct is ours: a copy of a size known at
	 * build time, which hardened usercopy checks then, not per call.
	 */
	if (usize == ksize)
		return copy_from_user(karg, uarg, ksize) ? -EFAULT : 0;
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
	if (len <= VMC_KEY_ONSTACK) {
		/* @stack's bounds are ours: no hardened-usercopy check. */
		if (vmc_copy_from_user_small(stack, u64_to_user_ptr(ukey), len))
			return -EFAULT;
	} else {
		data = kvmalloc(len, GFP_KERNEL);
		if (!data)
			return -ENOMEM;
		if (copy_from_user(data, u64_to_user_ptr(ukey), len)) {
			kvfree(data);
			return -EFAULT;
		}
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
		     VMEMCACHE_FEAT_LOCK_STATS | VMEMCACHE_FEAT_PRIVATE |
		     VMEMCACHE_FEAT_EVICTED_LOG | VMEMCACHE_FEAT_EVICT_PREFIX |
		     VMEMCACHE_FEAT_LIST | VMEMCACHE_FEAT_BATCH |
		     VMEMCACHE_FEAT_EVICTED_VALUES | VMEMCACHE_FEAT_CREATE_FILE |
		     VMEMCACHE_FEAT_ITEM_META | VMEMCACHE_FEAT_NUMA_NODE |
		     VMEMCACHE_FEAT_TIERS |
		     VMEMCACHE_FEAT_ITEM_STATE | VMEMCACHE_FEAT_MAPPED_GET;
	v.max_key_size = VMEMCACHE_MAX_KEY_SIZE;
	return vmc_arg_out(cmd, &v, sizeof(v), uarg);
}

static long vmc_ioctl_put(struct vmc_cache *c, unsigned int cmd,
			  void __user *uarg)
{
	struct vmc_evict_log log_buf;
	struct vmc_evicted *log;
	u8 stack[VMC_KEY_ONSTACK];
	struct vmc_put_opts opts;
	struct vmemcache_put p;
	struct vmc_key key;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_PUT, &p, sizeof(p), uarg);
	if (ret)
		return ret;
	if ((p.flags & ~VMEMCACHE_PUT_FLAGS) ||
	    (p.cas && !(p.flags & VMEMCACHE_PUT_CAS)))
		return -EINVAL;
	opts = (struct vmc_put_opts){
		.replace = p.flags & VMEMCACHE_PUT_REPLACE,
		.present = p.flags & VMEMCACHE_PUT_PRESENT,
		.match_cas = p.flags & VMEMCACHE_PUT_CAS,
		.cas = p.cas,
		.client_flags = p.client_flags,
		.expiry = p.expiry,
	};
	if (!p.value_len)
		return -EINVAL;
	ret = vmc_key_in(p.key, p.key_len, stack, &key);
	if (ret)
		return ret;
	ret = vmc_log_begin(p.evicted, p.evicted_size,
			    p.flags & VMEMCACHE_PUT_EVICTED_VALUES, &log_buf,
			    &log);
	if (!ret) {
		ret = vmc_cache_put_ex(c, &key, u64_to_user_ptr(p.value),
				       p.value_len, &opts, log);
		if (log)
			vmc_log_end(log);
	}
	vmc_key_free(&key, stack);
	return ret;
}

/* struct vmemcache_get's @state for @m. */
static u32 vmc_state_bits(const struct vmc_meta *m)
{
	return (m->fetched ? VMEMCACHE_STATE_FETCHED : 0) |
	       (m->stale ? VMEMCACHE_STATE_STALE : 0) |
	       (m->won ? VMEMCACHE_STATE_WON : 0);
}

static long vmc_ioctl_get(struct vmc_cache *c, unsigned int cmd,
			  void __user *uarg)
{
	struct vmemcache_get __user *ug = uarg;
	u8 stack[VMC_KEY_ONSTACK];
	struct vmemcache_get g;
	struct vmc_meta meta;
	struct vmc_key key;
	bool want_meta, want_state;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_GET, &g, sizeof(g), uarg);
	if (ret)
		return ret;
	want_meta = g.flags & VMEMCACHE_GET_META;
	want_state = g.flags & VMEMCACHE_GET_STATE;
	if ((g.flags & ~VMEMCACHE_GET_FLAGS) ||
	    vmc_nonzero(g.reserved, sizeof(g.reserved)))
		return -EINVAL;
	/* Without the flag they are reserved: an old program's zeros. */
	if (!want_meta && (g.cas || g.client_flags || g.expiry))
		return -EINVAL;
	if (!want_state && (g.last_access || g.state))
		return -EINVAL;
	if (!g.buf && g.buf_len)
		return -EFAULT;
	ret = vmc_key_in(g.key, g.key_len, stack, &key);
	if (ret)
		return ret;
	ret = vmc_cache_get_ex(c, &key, u64_to_user_ptr(g.buf), g.buf_len,
			       g.offset, &g.copied, &g.value_size,
			       want_meta || want_state ? &meta : NULL);
	vmc_key_free(&key, stack);
	if (ret)
		return ret;
	if (want_meta && (put_user(meta.cas, &ug->cas) ||
			  put_user(meta.client_flags, &ug->client_flags) ||
			  put_user(meta.expiry, &ug->expiry)))
		return -EFAULT;
	if (want_state &&
	    (put_user(meta.atime, &ug->last_access) ||
	     put_user(vmc_state_bits(&meta), &ug->state)))
		return -EFAULT;
	/*
	 * Only the out fields change (a larger caller's tail is zero, or
	 * vmc_arg_in() refused it): two stores instead of the whole struct.
	 */
	BUILD_BUG_ON(offsetof(struct vmemcache_get, value_size) !=
		     offsetof(struct vmemcache_get, copied) + sizeof(g.copied));
	if (!user_write_access_begin(&ug->copied,
				     sizeof(g.copied) + sizeof(g.value_size)))
		return -EFAULT;
	unsafe_put_user(g.copied, &ug->copied, efault);
	unsafe_put_user(g.value_size, &ug->value_size, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static long vmc_ioctl_exists(struct vmc_cache *c, unsigned int cmd,
			     void __user *uarg)
{
	u8 stack[VMC_KEY_ONSTACK];
	struct vmemcache_exists x;
	struct vmc_meta meta = {};
	struct vmc_key key;
	bool want_meta, want_state;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_EXISTS, &x, sizeof(x), uarg);
	if (ret)
		return ret;
	want_meta = x.flags & VMEMCACHE_GET_META;
	want_state = x.flags & VMEMCACHE_GET_STATE;
	if ((x.flags & ~VMEMCACHE_GET_FLAGS) ||
	    vmc_nonzero(x.reserved, sizeof(x.reserved)))
		return -EINVAL;
	if (!want_meta && (x.cas || x.client_flags || x.expiry))
		return -EINVAL;
	if (!want_state && (x.last_access || x.state))
		return -EINVAL;
	ret = vmc_key_in(x.key, x.key_len, stack, &key);
	if (ret)
		return ret;
	ret = vmc_cache_exists_ex(c, &key, &x.value_size,
				  want_meta || want_state ? &meta : NULL);
	vmc_key_free(&key, stack);
	if (ret)
		return ret;
	if (want_meta) {
		x.cas = meta.cas;
		x.client_flags = meta.client_flags;
		x.expiry = meta.expiry;
	}
	if (want_state) {
		x.last_access = meta.atime;
		x.state = vmc_state_bits(&meta);
	}
	return vmc_arg_out(cmd, &x, sizeof(x), uarg);
}

static long vmc_ioctl_evict(struct vmc_cache *c, unsigned int cmd,
			    void __user *uarg)
{
	struct vmc_evict_log log_buf;
	struct vmc_evicted *log;
	u8 stack[VMC_KEY_ONSTACK];
	struct vmemcache_evict ev;
	struct vmc_key key;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_EVICT, &ev, sizeof(ev), uarg);
	if (ret)
		return ret;
	if ((ev.flags & ~VMEMCACHE_EVICT_FLAGS) ||
	    vmc_nonzero(ev.reserved, sizeof(ev.reserved)))
		return -EINVAL;
	if (!ev.key_len && (ev.key || (ev.flags & VMEMCACHE_EVICT_PREFIX)))
		return -EINVAL;
	if (ev.key_len) {
		ret = vmc_key_in(ev.key, ev.key_len, stack, &key);
		if (ret)
			return ret;
	}
	ret = vmc_log_begin(ev.evicted, ev.evicted_size,
			    ev.flags & VMEMCACHE_EVICT_EVICTED_VALUES, &log_buf,
			    &log);
	if (!ret) {
		if (ev.flags & VMEMCACHE_EVICT_PREFIX)
			ret = vmc_cache_evict_prefix(c, &key, log);
		else
			ret = vmc_cache_evict(c, ev.key_len ? &key : NULL, log);
		if (log)
			vmc_log_end(log);
	}
	if (ev.key_len)
		vmc_key_free(&key, stack);
	return ret;
}

static long vmc_ioctl_touch(struct vmc_cache *c, unsigned int cmd,
			    void __user *uarg)
{
	u8 stack[VMC_KEY_ONSTACK];
	struct vmemcache_touch t;
	struct vmc_key key;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_TOUCH, &t, sizeof(t), uarg);
	if (ret)
		return ret;
	if ((t.flags & ~VMEMCACHE_TOUCH_FLAGS) || t.pad ||
	    vmc_nonzero(t.reserved, sizeof(t.reserved)))
		return -EINVAL;
	if ((t.flags & VMEMCACHE_TOUCH_KEEP_EXPIRY) && t.expiry)
		return -EINVAL;
	ret = vmc_key_in(t.key, t.key_len, stack, &key);
	if (ret)
		return ret;
	if (t.flags)
		ret = vmc_cache_mark(c, &key, t.expiry,
				     (t.flags & VMEMCACHE_TOUCH_KEEP_EXPIRY ?
				      VMC_MARK_KEEP_EXPIRY : 0) |
				     (t.flags & VMEMCACHE_TOUCH_STALE ?
				      VMC_MARK_STALE : 0) |
				     (t.flags & VMEMCACHE_TOUCH_WIN ?
				      VMC_MARK_WIN : 0));
	else
		ret = vmc_cache_touch(c, &key, t.expiry);
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

static long vmc_ioctl_tier_stats(struct vmc_cache *c, unsigned int cmd,
				 void __user *uarg)
{
	struct vmemcache_tier_stats st;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_TIER_STATS, &st, sizeof(st), uarg);
	if (ret)
		return ret;
	vmc_cache_tier_stats(c, &st);
	return vmc_arg_out(cmd, &st, sizeof(st), uarg);
}

static long vmc_ioctl_map_info(struct vmc_cache *c, unsigned int cmd,
			       void __user *uarg)
{
	struct vmemcache_map_info info;
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_MAP_INFO, &info, sizeof(info),
			 uarg);
	if (ret)
		return ret;
	ret = vmc_cache_map_info(c, &info);
	if (ret)
		return ret;
	return vmc_arg_out(cmd, &info, sizeof(info), uarg);
}

static long vmc_ioctl_list(struct vmc_cache *c, unsigned int cmd,
			   void __user *uarg)
{
	u8 stack[VMC_KEY_ONSTACK];
	struct vmemcache_list ls;
	struct vmc_list l = {};
	int ret;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_LIST, &ls, sizeof(ls), uarg);
	if (ret)
		return ret;
	if (ls.flags || ls.pad || vmc_nonzero(ls.reserved, sizeof(ls.reserved)))
		return -EINVAL;
	if (!ls.prefix_len && ls.prefix)
		return -EINVAL;
	if (!ls.buf && ls.buf_size)
		return -EFAULT;
	if (ls.prefix_len) {
		ret = vmc_key_in(ls.prefix, ls.prefix_len, stack, &l.prefix);
		if (ret)
			return ret;
	}
	l.buf = u64_to_user_ptr(ls.buf);
	l.size = ls.buf_size;
	l.cursor = ls.cursor;
	ret = vmc_cache_list(c, &l);
	if (ls.prefix_len)
		vmc_key_free(&l.prefix, stack);
	if (ret)
		return ret;
	ls.count = l.count;
	ls.used = l.used;
	ls.cursor = l.cursor;
	return vmc_arg_out(cmd, &ls, sizeof(ls), uarg);
}

/* One item of a batch: the item's result, as its own command's. */
static int vmc_batch_one(struct vmc_cache *c, struct vmemcache_batch_item *it,
			 struct vmc_evicted *log)
{
	u8 stack[VMC_KEY_ONSTACK];
	struct vmc_key key;
	int ret;

	if (it->pad || !it->key_len || it->key_len > VMEMCACHE_MAX_KEY_SIZE)
		return -EINVAL;
	if (it->op == VMEMCACHE_BATCH_PUT) {
		/* No room in an item for a version: REPLACE only. */
		if ((it->flags & ~VMEMCACHE_PUT_REPLACE) || !it->len)
			return -EINVAL;
	} else if (it->flags || it->op > VMEMCACHE_BATCH_EVICT) {
		return -EINVAL;
	}
	if (it->op == VMEMCACHE_BATCH_GET && !it->buf && it->len)
		return -EFAULT;
	ret = vmc_key_in(it->key, it->key_len, stack, &key);
	if (ret)
		return ret;
	switch (it->op) {
	case VMEMCACHE_BATCH_PUT:
		ret = vmc_cache_put(c, &key, u64_to_user_ptr(it->buf), it->len,
				    it->flags & VMEMCACHE_PUT_REPLACE, log);
		break;
	case VMEMCACHE_BATCH_GET:
		ret = vmc_cache_get(c, &key, u64_to_user_ptr(it->buf), it->len,
				    0, &it->copied, &it->value_size);
		/* Nothing a failed item meant to copy counts as copied. */
		if (ret)
			it->copied = 0;
		break;
	case VMEMCACHE_BATCH_EXISTS:
		ret = vmc_cache_exists(c, &key, &it->value_size);
		break;
	default:
		ret = vmc_cache_evict(c, &key, log);
		break;
	}
	vmc_key_free(&key, stack);
	return ret;
}

static bool vmc_batch_op_writes(u16 op)
{
	return op == VMEMCACHE_BATCH_PUT || op == VMEMCACHE_BATCH_EVICT;
}

/*
 * A descriptor without write access may run a batch of reads only.  The
 * whole batch is refused before any item runs, rather than item by item,
 * so that a reader learns its mistake from the call's result and not from
 * a half-done batch.
 */
static int vmc_batch_check_readonly(const struct vmemcache_batch_item __user *uitems,
				    u32 count)
{
	u16 op;
	u32 i;

	for (i = 0; i < count; i++) {
		if (get_user(op, &uitems[i].op))
			return -EFAULT;
		if (vmc_batch_op_writes(op))
			return -EBADF;
	}
	return 0;
}

/* An item's out fields, in one user access: they lie together. */
static int vmc_batch_item_out(const struct vmemcache_batch_item *it,
			      struct vmemcache_batch_item __user *uit)
{
	const size_t first = offsetof(struct vmemcache_batch_item, result);

	if (!user_write_access_begin(&uit->result,
				     offsetofend(struct vmemcache_batch_item,
						 copied) - first))
		return -EFAULT;
	unsafe_put_user(it->result, &uit->result, efault);
	unsafe_put_user(it->value_size, &uit->value_size, efault);
	unsafe_put_user(it->copied, &uit->copied, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static long vmc_ioctl_batch(struct vmc_cache *c, unsigned int cmd,
			    void __user *uarg, bool writable)
{
	struct vmc_evict_log log_buf;
	struct vmc_evicted *log;
	struct vmemcache_batch_item __user *uitems;
	struct vmemcache_batch_item it;
	struct vmemcache_batch b;
	int ret = 0;
	u32 i;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_BATCH, &b, sizeof(b), uarg);
	if (ret)
		return ret;
	if ((b.flags & ~VMEMCACHE_BATCH_FLAGS) || b.pad ||
	    vmc_nonzero(b.reserved, sizeof(b.reserved)) ||
	    !b.count || b.count > VMEMCACHE_BATCH_MAX)
		return -EINVAL;
	uitems = u64_to_user_ptr(b.items);
	if (!writable) {
		ret = vmc_batch_check_readonly(uitems, b.count);
		if (ret)
			return ret;
	}
	ret = vmc_log_begin(b.evicted, b.evicted_size,
			    b.flags & VMEMCACHE_BATCH_EVICTED_VALUES, &log_buf,
			    &log);
	if (ret)
		return ret;
	for (i = 0; i < b.count; i++) {
		if (copy_from_user(&it, &uitems[i], sizeof(it))) {
			ret = -EFAULT;
			break;
		}
		it.value_size = 0;
		it.copied = 0;
		/* The items may have changed since they were checked. */
		if (!writable && vmc_batch_op_writes(it.op))
			it.result = -EBADF;
		else
			it.result = vmc_batch_one(c, &it, log);
		if (vmc_batch_item_out(&it, &uitems[i])) {
			ret = -EFAULT;
			break;
		}
		cond_resched();
	}
	if (log)
		vmc_log_end(log);
	b.done = i;
	if (ret)
		return ret;
	return vmc_arg_out(cmd, &b, sizeof(b), uarg);
}

/*
 * The commands of every cache, shared or private.  @writable: the
 * descriptor was opened for writing; without it only the commands that
 * change nothing run (GET moves its entry in the LRU order, which is the
 * cost of reading, not a change of what is cached).
 */
static long vmc_cache_ioctl(struct vmc_cache *c, unsigned int cmd,
			    void __user *uarg, bool writable)
{
	BUILD_BUG_ON(sizeof(struct vmemcache_version) != 64);
	BUILD_BUG_ON(sizeof(struct vmemcache_put) != 64);
	BUILD_BUG_ON(sizeof(struct vmemcache_get) != 88);
	BUILD_BUG_ON(sizeof(struct vmemcache_exists) != 56);
	BUILD_BUG_ON(sizeof(struct vmemcache_evict) != 48);
	BUILD_BUG_ON(sizeof(struct vmemcache_stats) != 128);
	BUILD_BUG_ON(sizeof(struct vmemcache_create) != 56);
	BUILD_BUG_ON(sizeof(struct vmemcache_evicted_log) != 32);
	BUILD_BUG_ON(sizeof(struct vmemcache_evicted_rec) != 16);
	BUILD_BUG_ON(sizeof(struct vmemcache_list) != 80);
	BUILD_BUG_ON(sizeof(struct vmemcache_batch_item) != 56);
	BUILD_BUG_ON(sizeof(struct vmemcache_batch) != 56);
	BUILD_BUG_ON(sizeof(struct vmemcache_touch) != 48);
	BUILD_BUG_ON(sizeof(struct vmemcache_tier_stats) != 192);
	BUILD_BUG_ON(sizeof(struct vmemcache_map_info) != 72);
	BUILD_BUG_ON(sizeof(struct vmemcache_map_slot) != 128);
	BUILD_BUG_ON(sizeof(struct vmemcache_map_state) != 64);

	if (_IOC_TYPE(cmd) != VMEMCACHE_IOC_MAGIC)
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(VMEMCACHE_IOC_VERSION):
		return vmc_ioctl_version(cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_PUT):
		if (!writable)
			return -EBADF;
		return vmc_ioctl_put(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_GET):
		return vmc_ioctl_get(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_EXISTS):
		return vmc_ioctl_exists(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_EVICT):
		if (!writable)
			return -EBADF;
		return vmc_ioctl_evict(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_STATS):
		return vmc_ioctl_stats(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_TIER_STATS):
		return vmc_ioctl_tier_stats(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_MAP_INFO):
		return vmc_ioctl_map_info(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_LIST):
		return vmc_ioctl_list(c, cmd, uarg);
	case _IOC_NR(VMEMCACHE_IOC_BATCH):
		return vmc_ioctl_batch(c, cmd, uarg, writable);
	case _IOC_NR(VMEMCACHE_IOC_TOUCH):
		if (!writable)
			return -EBADF;
		return vmc_ioctl_touch(c, cmd, uarg);
	}
	return -ENOTTY;
}

/* ------------------------------------------------------------ private */

/**
 * struct vmc_private - a private cache, the private_data of its files
 * @cache: the cache
 * @charged: bytes of DRAM pool counted in vmc_private_used
 * @uid: the creator's user id, whose count of caches it is in
 */
struct vmc_private {
	struct vmc_cache *cache;
	u64 charged;
	uid_t uid;
};

static long vmc_private_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct vmc_private *priv = file->private_data;

	return vmc_cache_ioctl(priv->cache, cmd, (void __user *)arg,
			       file->f_mode & FMODE_WRITE);
}

static int vmc_private_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vmc_private *priv = file->private_data;

	return vmc_cache_mmap(priv->cache, vma);
}

static int vmc_private_release(struct inode *inode, struct file *file)
{
	struct vmc_private *priv = file->private_data;

	vmc_cache_destroy(priv->cache);
	vmc_private_uncharge(priv->uid, priv->charged);
	kfree(priv);
	return 0;
}

static const struct file_operations vmc_private_fops = {
	.owner = THIS_MODULE,
	.release = vmc_private_release,
	.mmap = vmc_private_mmap,
	.unlocked_ioctl = vmc_private_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * vmc_private_cache() - the private cache of a file
 * @file: any file, of which the caller holds a reference
 *
 * Return: the cache, which lives while @file does, if @file is a private
 * cache's descriptor; else NULL.
 */
struct vmc_cache *vmc_private_cache(struct file *file)
{
	struct vmc_private *priv = file->private_data;

	return file->f_op == &vmc_private_fops ? priv->cache : NULL;
}

/*
 * The device of a descriptor of a block device open for reading and
 * writing: the pool is both.
 */
static int vmc_backing_fd_dev(int fd, dev_t *dev)
{
	struct fd f = fdget(fd);
	struct inode *inode;
	int ret = 0;

	if (!fd_file(f))
		return -EBADF;
	inode = file_inode(fd_file(f));
	if (!S_ISBLK(inode->i_mode))
		ret = -ENOTBLK;
	else if ((fd_file(f)->f_mode & (FMODE_READ | FMODE_WRITE)) !=
		 (FMODE_READ | FMODE_WRITE))
		ret = -EBADF;
	else
		*dev = inode->i_rdev;
	fdput(f);
	return ret;
}

/*
 * A pool in the file @fd refers to.  A vmemcache descriptor is refused
 * here, where its file operations are known: a pool in a cache would
 * nest one cache's locks in another's.
 */
static struct vmc_backing *vmc_backing_fd_file(int fd, u64 size)
{
	struct fd f = fdget(fd);
	struct vmc_backing *b;

	if (!fd_file(f))
		return ERR_PTR(-EBADF);
	if (fd_file(f)->f_op == &vmc_fops ||
	    fd_file(f)->f_op == &vmc_private_fops)
		b = ERR_PTR(-EINVAL);
	else
		b = vmc_backing_file_create(fd_file(f), size,
					    VMC_MIN_CAPACITY);
	fdput(f);
	return b;
}

/* Build the backing a VMEMCACHE_IOC_CREATE asks for; sets *capacity. */
static struct vmc_backing *vmc_create_backing(const struct vmemcache_create *cr,
					      u64 *capacity)
{
	struct vmc_backing *b;
	dev_t dev;
	int ret;

	if (cr->flags & VMEMCACHE_CREATE_FILE) {
		if (cr->size && (cr->size < VMC_MIN_CAPACITY ||
				 !PAGE_ALIGN(cr->size)))
			return ERR_PTR(-EINVAL);
		b = vmc_backing_fd_file(cr->backing_fd, PAGE_ALIGN(cr->size));
		if (!IS_ERR(b))
			*capacity = b->size;
		return b;
	}
	if (!(cr->flags & VMEMCACHE_CREATE_DAX)) {
		*capacity = PAGE_ALIGN(cr->size);
		if (cr->size < VMC_MIN_CAPACITY || !*capacity)
			return ERR_PTR(-EINVAL);
		return vmc_backing_dram_create(*capacity, GFP_KERNEL_ACCOUNT,
					       cr->flags & VMEMCACHE_CREATE_NUMA_NODE ?
					       cr->numa_node : NUMA_NO_NODE);
	}
	if (cr->size && cr->size < VMC_MIN_CAPACITY)
		return ERR_PTR(-EINVAL);
	ret = vmc_backing_fd_dev(cr->backing_fd, &dev);
	if (ret)
		return ERR_PTR(ret);
	b = vmc_backing_dax_create_dev(dev, VMC_MIN_CAPACITY);
	if (IS_ERR(b))
		return b;
	*capacity = cr->size ? PAGE_ALIGN(cr->size) : b->size;
	if (!*capacity || *capacity > b->size) {
		b->ops->destroy(b);
		return ERR_PTR(-EINVAL);
	}
	return b;
}

/*
 * Check the description of one pool of a VMEMCACHE_IOC_CREATE: its kind
 * (@flags, of VMEMCACHE_CREATE_SLOW_FLAGS), descriptor and node, as the
 * fast pool's or the slow tier's fields give them.
 */
static int vmc_create_check_pool(u32 flags, int fd, int node)
{
	if ((flags & VMEMCACHE_CREATE_DAX) && (flags & VMEMCACHE_CREATE_FILE))
		return -EINVAL;
	if (flags & VMEMCACHE_CREATE_NUMA_NODE) {
		if (flags & (VMEMCACHE_CREATE_DAX | VMEMCACHE_CREATE_FILE))
			return -EINVAL;
		return vmc_backing_dram_check_node(node);
	}
	if (node)
		return -EINVAL;
	if (!(flags & (VMEMCACHE_CREATE_DAX | VMEMCACHE_CREATE_FILE)) && fd)
		return -EINVAL;
	return 0;
}

/* Check a VMEMCACHE_IOC_CREATE's arguments, but for the sizes. */
static int vmc_create_check(const struct vmemcache_create *cr)
{
	bool tier = cr->flags & VMEMCACHE_CREATE_TIER;
	int ret;

	if ((cr->flags & ~VMEMCACHE_CREATE_FLAGS) || cr->pad ||
	    (!tier && vmc_nonzero(cr->reserved, sizeof(cr->reserved))))
		return -EINVAL;
	/* A mapped pool is DRAM, of one tier: see vmc_cache_map(). */
	if ((cr->flags & VMEMCACHE_CREATE_MAPPED) &&
	    (cr->flags & (VMEMCACHE_CREATE_DAX | VMEMCACHE_CREATE_FILE |
			  VMEMCACHE_CREATE_TIER)))
		return -EINVAL;
	ret = vmc_create_check_pool(cr->flags & VMEMCACHE_CREATE_SLOW_FLAGS,
				    cr->backing_fd, cr->numa_node);
	if (ret || !tier)
		return ret;
	if ((cr->slow_flags & ~VMEMCACHE_CREATE_SLOW_FLAGS) || cr->slow_pad ||
	    cr->policy != VMEMCACHE_POLICY_LRU)
		return -EINVAL;
	return vmc_create_check_pool(cr->slow_flags, cr->slow_fd,
				     cr->slow_numa_node);
}

/* DRAM bytes of a pool of @flags and @size, charged to its creator. */
static u64 vmc_create_dram(u32 flags, u64 size)
{
	if (flags & (VMEMCACHE_CREATE_DAX | VMEMCACHE_CREATE_FILE))
		return 0;
	return PAGE_ALIGN(size);
}

/* Give a new cache the slow tier @cr describes. */
static int vmc_create_tier(struct vmc_cache *c,
			   const struct vmemcache_create *cr)
{
	struct vmemcache_create slow = {
		.size = cr->slow_size, .flags = cr->slow_flags,
		.backing_fd = cr->slow_fd, .numa_node = cr->slow_numa_node,
	};
	struct vmc_backing *b;
	u64 capacity;
	int ret;

	b = vmc_create_backing(&slow, &capacity);
	if (IS_ERR(b))
		return PTR_ERR(b);
	ret = vmc_cache_add_tier(c, b, capacity);
	if (ret)
		b->ops->destroy(b);
	return ret;
}

static long vmc_ioctl_create(unsigned int cmd, void __user *uarg)
{
	const struct vmc_repl_ops *policy;
	struct vmemcache_create cr;
	struct vmc_private *priv;
	struct vmc_backing *b;
	u64 capacity;
	int ret, fd;

	ret = vmc_arg_in(cmd, VMEMCACHE_IOC_CREATE, &cr, sizeof(cr), uarg);
	if (ret)
		return ret;
	ret = vmc_create_check(&cr);
	if (ret)
		return ret;
	switch (cr.policy) {
	case VMEMCACHE_POLICY_NONE:
		policy = &vmc_repl_none;
		break;
	case VMEMCACHE_POLICY_LRU:
		policy = &vmc_repl_lru;
		break;
	default:
		return -EINVAL;
	}
	/* The pool size and the extent size are checked as they are used. */
	priv = kzalloc(sizeof(*priv), GFP_KERNEL_ACCOUNT);
	if (!priv)
		return -ENOMEM;
	priv->charged = vmc_create_dram(cr.flags, cr.size);
	if (cr.flags & VMEMCACHE_CREATE_TIER)
		priv->charged += vmc_create_dram(cr.slow_flags, cr.slow_size);
	priv->uid = from_kuid_munged(&init_user_ns, current_uid());
	ret = vmc_private_charge(priv->uid, priv->charged);
	if (ret)
		goto err_free;
	b = vmc_create_backing(&cr, &capacity);
	if (IS_ERR(b)) {
		ret = PTR_ERR(b);
		goto err_uncharge;
	}
	priv->cache = vmc_cache_create_on(b, capacity, cr.extent_size, policy,
					  GFP_KERNEL_ACCOUNT);
	if (IS_ERR(priv->cache)) {
		ret = PTR_ERR(priv->cache);
		b->ops->destroy(b);
		goto err_uncharge;
	}
	if (cr.flags & VMEMCACHE_CREATE_TIER) {
		ret = vmc_create_tier(priv->cache, &cr);
		if (ret)
			goto err_cache;
	}
	if (cr.flags & VMEMCACHE_CREATE_MAPPED) {
		ret = vmc_cache_map(priv->cache);
		if (ret)
			goto err_cache;
	}
	fd = anon_inode_getfd("[vmemcache]", &vmc_private_fops, priv,
			      O_RDWR | (cr.flags & VMEMCACHE_CREATE_CLOEXEC ?
					O_CLOEXEC : 0));
	if (fd < 0) {
		ret = fd;
		goto err_cache;
	}
	return fd;

err_cache:
	vmc_cache_destroy(priv->cache);
err_uncharge:
	vmc_private_uncharge(priv->uid, priv->charged);
err_free:
	kfree(priv);
	return ret;
}

/* ------------------------------------------------------------ shared */

static long vmc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmc_cache *c = file->private_data;
	void __user *uarg = (void __user *)arg;

	bool writable = file->f_mode & FMODE_WRITE;

	if (_IOC_TYPE(cmd) == VMEMCACHE_IOC_MAGIC &&
	    _IOC_NR(cmd) == _IOC_NR(VMEMCACHE_IOC_CREATE))
		return writable ? vmc_ioctl_create(cmd, uarg) : -EBADF;
	return vmc_cache_ioctl(c, cmd, uarg, writable);
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

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small copies from user memory into the module's own buffers, without
 * copy_from_user()'s hardened-usercopy check: a key into its on-stack
 * buffer (chardev.c), a piece of a value into one of the pool's chunks
 * (backing_dram.c).  The caller knows the buffer's bounds, and for a few
 * hundred bytes finding the object around the buffer costs more than the
 * copy.  Below every layer, as compat.h is.
 */
#ifndef _VMC_USERCOPY_H
#define _VMC_USERCOPY_H

#include <linux/align.h>
#include <linux/types.h>
#include <linux/uaccess.h>

/*
 * Copy @n bytes from @src to @dst: a word at a time when @dst is aligned
 * for it (x86 has no unsafe_copy_from_user()), then the bytes.
 * Return: 0 or -EFAULT.
 */
static inline int vmc_copy_from_user_small(void *dst, const void __user *src,
					   size_t n)
{
	u64 w;
	u8 c;

	if (!user_read_access_begin(src, n))
		return -EFAULT;
	if (IS_ALIGNED((unsigned long)dst, sizeof(w))) {
		for (; n >= sizeof(w); n -= sizeof(w)) {
			unsafe_get_user(w, (const u64 __user *)src, efault);
			*(u64 *)dst = w;
			src += sizeof(w);
			dst += sizeof(w);
		}
	}
	for (; n; n--) {
		unsafe_get_user(c, (const u8 __user *)src, efault);
		*(u8 *)dst = c;
		src++;
		dst++;
	}
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

#endif /* _VMC_USERCOPY_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * File backing of a vmemcache pool: a regular file on a filesystem mounted
 * with DAX (ext4 or xfs -o dax on a pmem device), the pool libvmemcache
 * kept in a temporary file.  Pool offset N is byte N of the file.
 *
 * Values go in and out with vfs_iter_write() and vfs_iter_read(), which on
 * a DAX file reach dax_iomap_rw(): the filesystem maps its own blocks, so
 * truncation, hole punching, unmount and filesystem errors stay its
 * business.  A read past the end of a truncated file, or any error of the
 * filesystem, fails the copy with -EIO, never with a stale mapping.  The
 * backing reads and writes through a struct file of its own, opened on the
 * caller's path, so that flags the caller may set later on its descriptor
 * (O_APPEND, O_DIRECT, O_NONBLOCK) and its file position do not reach the
 * pool; that file keeps the filesystem busy (umount fails with EBUSY)
 * while the cache lives.
 *
 * The cache copies with page faults disabled: a user page that is not
 * present ends the copy short, and the filesystem says so with a short
 * count or -EFAULT.  A copy that stops short while the user range is
 * present failed in the file (a machine check on the media): -EIO.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "backing.h"
#include "compat.h"

/*
 * Bytes moved by one vfs call at most: below MAX_RW_COUNT, and short
 * enough that the filesystem's inode lock is held for a bounded copy.
 */
#define VMC_FILE_STEP	SZ_1M

/**
 * struct vmc_backing_file - a pool in a file
 * @b: the backing
 * @file: the backing's own open file, read-write
 * @name: what the backing is called in messages
 */
struct vmc_backing_file {
	struct vmc_backing b;
	struct file *file;
	char name[32];
};

static struct vmc_backing_file *to_file(struct vmc_backing *b)
{
	return container_of(b, struct vmc_backing_file, b);
}

/*
 * A copy that moved nothing: -EFAULT when the user range is not all
 * present (the caller faults it in and copies again), else -EIO.
 */
static int vmc_file_short(void __user *ubuf, size_t len, bool to_user)
{
	size_t left;

	/* Page faults are disabled: this only tells what is in. */
	if (to_user)
		left = fault_in_writeable((char __user *)ubuf, len);
	else
		left = fault_in_readable((const char __user *)ubuf, len);
	return left ? -EFAULT : -EIO;
}

static int vmc_file_copy(struct vmc_backing *b, u64 off, void __user *ubuf,
			 size_t len, bool to_user, struct vmc_extent *bad)
{
	struct file *file = to_file(b)->file;
	loff_t pos = off;
	int ret = 0;

	while (len) {
		size_t n = min_t(size_t, len, VMC_FILE_STEP);
		struct iov_iter iter;
		ssize_t done;

		ret = vmc_import_ubuf(to_user ? ITER_DEST : ITER_SOURCE,
				      ubuf, n, &iter);
		if (ret)
			break;
		if (to_user)
			done = vfs_iter_read(file, &iter, &pos, 0);
		else
			done = vfs_iter_write(file, &iter, &pos, 0);
		if (done <= 0) {
			ret = done == 0 || done == -EFAULT ?
			      vmc_file_short(ubuf, n, to_user) : -EIO;
			break;
		}
		off += done;
		ubuf += done;
		len -= done;
	}
	if (ret == -EIO && bad) {
		bad->off = off;
		bad->len = len;
	}
	return ret;
}

static int vmc_file_write(struct vmc_backing *b, u64 off,
			  const void __user *src, size_t len)
{
	return vmc_file_copy(b, off, (void __user *)src, len, false, NULL);
}

static int vmc_file_read(struct vmc_backing *b, u64 off, void __user *dst,
			 size_t len, struct vmc_extent *bad)
{
	return vmc_file_copy(b, off, dst, len, true, bad);
}

static int vmc_file_read_kernel(struct vmc_backing *b, u64 off, void *dst,
				size_t len, struct vmc_extent *bad)
{
	struct file *file = to_file(b)->file;
	loff_t pos = off;
	ssize_t done;

	while (len) {
		done = kernel_read(file, dst, min_t(size_t, len, VMC_FILE_STEP),
				   &pos);
		/* Kernel memory never faults: nothing read is the file's. */
		if (done <= 0) {
			bad->off = pos;
			bad->len = len;
			return -EIO;
		}
		dst += done;
		len -= done;
	}
	return 0;
}

static int vmc_file_write_kernel(struct vmc_backing *b, u64 off,
				 const void *src, size_t len)
{
	struct file *file = to_file(b)->file;
	loff_t pos = off;
	ssize_t done;

	while (len) {
		done = kernel_write(file, src, min_t(size_t, len, VMC_FILE_STEP),
				    &pos);
		if (done <= 0)
			return -EIO;
		src += done;
		len -= done;
	}
	return 0;
}

static struct vmc_backing *vmc_file_resize(struct vmc_backing *b, u64 size)
{
	return size <= b->size ? b : ERR_PTR(-EINVAL);
}

static void vmc_file_destroy(struct vmc_backing *b)
{
	struct vmc_backing_file *f = to_file(b);

	fput(f->file);
	kfree(f);
}

static const struct vmc_backing_ops vmc_file_ops = {
	.write = vmc_file_write,
	.read = vmc_file_read,
	.read_kernel = vmc_file_read_kernel,
	.write_kernel = vmc_file_write_kernel,
	.resize = vmc_file_resize,
	.destroy = vmc_file_destroy,
};

/* Whether @file may hold a pool: 0 or the errno of VMEMCACHE_IOC_CREATE. */
static int vmc_file_check(struct file *file)
{
	struct inode *inode = file_inode(file);

	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EBADF;
	if (!IS_DAX(inode))
		return -EOPNOTSUPP;
	if (IS_SWAPFILE(inode))
		return -ETXTBSY;
	if (IS_IMMUTABLE(inode) || IS_APPEND(inode))
		return -EPERM;
	if (sb_rdonly(inode->i_sb))
		return -EROFS;
	return 0;
}

/**
 * vmc_backing_file_create() - a backing in a file on a DAX filesystem
 * @user: the caller's open file; not kept
 * @size: pool bytes wanted, a multiple of PAGE_SIZE; 0 for the whole file
 *	  (its size rounded down to a page)
 * @min_size: the smallest pool accepted
 *
 * Return: the backing, or an ERR_PTR: -EINVAL when @user is not a regular
 * file or is smaller than the pool, -EBADF when it is not open for reading
 * and writing, -EOPNOTSUPP when it is not on a DAX mount, -ETXTBSY for a
 * swap file, -EPERM for an immutable or append-only one, -EROFS on a
 * read-only filesystem, -ENOMEM, or what opening it again returns.
 */
struct vmc_backing *vmc_backing_file_create(struct file *user, u64 size,
					    u64 min_size)
{
	struct vmc_backing_file *f;
	struct file *file;
	loff_t isize;
	int ret;

	ret = vmc_file_check(user);
	if (ret)
		return ERR_PTR(ret);
	isize = round_down(i_size_read(file_inode(user)), PAGE_SIZE);
	if (!size)
		size = isize;
	if (size < min_size || size > isize)
		return ERR_PTR(-EINVAL);
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return ERR_PTR(-ENOMEM);
	file = dentry_open(&user->f_path, O_RDWR | O_LARGEFILE, current_cred());
	if (IS_ERR(file)) {
		kfree(f);
		return ERR_CAST(file);
	}
	/* Opened again: check what the new file is, not the old one. */
	ret = vmc_file_check(file);
	if (ret) {
		fput(file);
		kfree(f);
		return ERR_PTR(ret);
	}
	f->file = file;
	snprintf(f->name, sizeof(f->name), "file:%llu",
		 (u64)file_inode(file)->i_ino);
	f->b.ops = &vmc_file_ops;
	f->b.name = f->name;
	f->b.size = size;
	return &f->b;
}

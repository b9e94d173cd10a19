// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_config.c -- vmemcachectl config: shows and sets the module's sysfs
 * attributes (capacity, extent_size, policy, reset, ...) in
 * /sys/class/misc/vmemcache/ or $VMEMCACHE_SYSFS.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"

#define SYSFS_DEFAULT "/sys/class/misc/vmemcache"

static const char *sysfs_dir(void)
{
	const char *d = getenv("VMEMCACHE_SYSFS");

	return d && *d ? d : SYSFS_DEFAULT;
}

/* An attribute name is one path component. */
static int valid_name(const char *name, size_t len)
{
	return len && memchr(name, '/', len) == NULL &&
	       !(len == 1 && name[0] == '.') &&
	       !(len == 2 && name[0] == '.' && name[1] == '.');
}

/* Prints "name=value", the value's newlines turned into spaces. */
static int show(int dirfd, const char *name)
{
	char *value;
	size_t len;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctl_error("config", "%s: %s", name, strerror(errno));
	if (ctl_read_all(fd, &value, &len)) {
		int err = errno;

		close(fd);
		return ctl_error("config", "%s: %s", name, strerror(err));
	}
	close(fd);
	while (len && value[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++)
		if (value[i] == '\n')
			value[i] = ' ';
	printf("%s=%.*s\n", name, (int)len, value);
	free(value);
	return CTL_OK;
}

/* Writes "value\n" in one write(), like `echo value > name`. */
static int store(int dirfd, const char *name, const char *value)
{
	size_t len = strlen(value);
	char *line = malloc(len + 2);
	ssize_t w;
	int fd, err;

	if (!line)
		return ctl_error("config", "%s: %s", name, strerror(ENOMEM));
	memcpy(line, value, len);
	line[len++] = '\n';
	fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		free(line);
		return ctl_error("config", "%s: %s", name, strerror(err));
	}
	w = write(fd, line, len);
	err = errno;
	close(fd);
	free(line);
	if (w < 0)
		return ctl_error("config", "%s=%s: %s%s", name, value,
				 strerror(err), err == EBUSY ?
				 " (the cache holds entries; write 1 to reset first)" :
				 "");
	if ((size_t)w != len)
		return ctl_error("config", "%s=%s: short write", name, value);
	return CTL_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Shows every readable regular file of the directory, sorted by name. */
static int show_all(int dirfd)
{
	char **names = NULL, **nn;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	int ret = CTL_OK, fd;
	DIR *dir;

	fd = dup(dirfd);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return ctl_error("config", "%s: %s", sysfs_dir(),
				 strerror(err));
	}
	while ((de = readdir(dir))) {
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & 0444))
			continue;	/* not a file, or write-only (reset) */
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				ret = ctl_error("config", "%s", strerror(ENOMEM));
				break;
			}
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = ctl_error("config", "%s", strerror(ENOMEM));
			break;
		}
		n++;
	}
	closedir(dir);
	if (ret == CTL_OK) {
		qsort(names, n, sizeof(*names), cmp_names);
		for (size_t i = 0; i < n; i++)
			if (show(dirfd, names[i]) != CTL_OK)
				ret = CTL_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int cmd_config(struct ctl_call *c)
{
	int argc = c->argc, i = 0, dirfd, ret = CTL_OK;
	char **argv = c->argv;

	for (int a = i; a < argc; a++) {
		const char *eq = strchr(argv[a], '=');
		size_t len = eq ? (size_t)(eq - argv[a]) : strlen(argv[a]);

		if (!valid_name(argv[a], len))
			return ctl_usage_error("config",
					       "invalid attribute name in '%s'",
					       argv[a]);
	}
	dirfd = open(sysfs_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		int err = errno;

		return ctl_error("config", "%s: %s%s", sysfs_dir(),
				 strerror(err), err == ENOENT ?
				 " (is the vmemcache module loaded?)" : "");
	}
	if (i == argc)
		ret = show_all(dirfd);
	for (; i < argc && ret == CTL_OK; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq) {
			ret = show(dirfd, argv[i]);
			continue;
		}
		*eq = '\0';
		ret = store(dirfd, argv[i], eq + 1);
		*eq = '=';
	}
	close(dirfd);
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl.h -- declarations shared by the files of vmemcachectl: exit codes,
 * error reporting, option parsing, I/O helpers and the commands.
 */
#ifndef VMEMCACHECTL_H
#define VMEMCACHECTL_H

#include <stddef.h>

#include <libvmemcache.h>

#define PROG "vmemcachectl"

enum ctl_exit {
	CTL_OK = 0,
	CTL_NOTFOUND = 1,	/* key not found (ENOENT, ESRCH) */
	CTL_USAGE = 2,
	CTL_ERROR = 3,
};

/* "vmemcachectl: OP: vmemcache_errormsg()"; the exit code for errno. */
int ctl_fail(const char *op);

/* "vmemcachectl: OP: <printf text>"; returns CTL_ERROR. */
int ctl_error(const char *op, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "vmemcachectl: OP: <printf text>" and "Try ..."; returns CTL_USAGE. */
int ctl_usage_error(const char *op, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints the help text to stdout. */
void ctl_help(void);

/*
 * ctl_options -- parses the options at the front of a command's @argv
 * (@names: NULL-terminated list of long options such as "--json"), setting
 * bit i of *@set for names[i].  "--" ends the options; "-h"/"--help" prints
 * the help.  Returns the index of the first operand, or -1 when the command
 * must exit at once with the code stored in *@rc (after a usage error or
 * the help).
 */
int ctl_options(const char *op, int argc, char **argv,
		const char *const names[], unsigned int *set, int *rc);

/* Attaches a new handle to @dev; CTL_OK or an exit code (after a message). */
int ctl_open(const char *op, const char *dev, VMEMcache **cache);

/* Reads all of fd @fd into a malloc()ed *@buf; 0 or -1 with errno set. */
int ctl_read_all(int fd, char **buf, size_t *len);

/* Writes all of @buf to @fd; 0 or -1 with errno set. */
int ctl_write_all(int fd, const void *buf, size_t len);

/*
 * One run of a command, as main() hands it over: the options parsed (bit n
 * of @set for the command's option n), the operands checked against the
 * command's counts, and, for commands that use one, a handle attached to
 * the device, which main() deletes after the command returns.
 */
struct ctl_call {
	const char *dev;
	int argc;		/* the operands, after the options */
	char **argv;
	unsigned int set;
	VMEMcache *cache;	/* NULL for commands without a handle */
	char *buf;		/* a check()'s malloc()ed data, freed by main() */
	size_t len;
};

/*
 * The commands: check() (where there is one) runs before the handle is
 * attached, for the errors that come before the device's; run() does the
 * work.  Each returns the exit code.
 */
int cmd_put_check(struct ctl_call *c);
int cmd_put(struct ctl_call *c);
int cmd_get(struct ctl_call *c);
int cmd_exists(struct ctl_call *c);
int cmd_evict_check(struct ctl_call *c);
int cmd_evict(struct ctl_call *c);
int cmd_keys(struct ctl_call *c);
int cmd_stat(struct ctl_call *c);
int cmd_top(struct ctl_call *c);
int cmd_version(struct ctl_call *c);
int cmd_config(struct ctl_call *c);

#endif /* VMEMCACHECTL_H */

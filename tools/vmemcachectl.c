// SPDX-License-Identifier: GPL-2.0
/*
 * vmemcachectl.c -- main() of vmemcachectl, the command-line client of the
 * vmemcache kernel cache: global options, the help text and dispatch to
 * the commands (cmd_*.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define DEV_DEFAULT "/dev/vmemcache"

#define ANY_ARGS	-1

/*
 * A command: its options (for ctl_options(), unless @own_args: it parses
 * its arguments itself), how many operands it takes and the usage error
 * otherwise (NULL: "unexpected argument"), whether it needs a handle.
 */
static const struct command {
	const char *name;
	const char *const *opts;
	int min_args, max_args;
	const char *usage;
	bool open, own_args;
	int (*check)(struct ctl_call *c);
	int (*run)(struct ctl_call *c);
} commands[] = {
	{ "put", (const char *const []){ "--replace", NULL }, 1, 2,
	  "expected KEY [VALUE]", true, false, cmd_put_check, cmd_put },
	{ "get", (const char *const []){ "--meta", NULL }, 1, 1,
	  "expected KEY", true, false, NULL, cmd_get },
	{ "exists", NULL, 1, 1, "expected KEY", true, false, NULL, cmd_exists },
	{ "evict", (const char *const []){ "--prefix", NULL }, 0, 1,
	  "expected at most one KEY", true, false, cmd_evict_check, cmd_evict },
	{ "keys", (const char *const []){ "--sizes", "--meta", NULL }, 0, 1,
	  "expected at most one PREFIX", true, false, NULL, cmd_keys },
	{ "stat", (const char *const []){ "--json", "--now", NULL }, 0, 0,
	  NULL, true, false, NULL, cmd_stat },
	{ "top", NULL, 0, ANY_ARGS, NULL, false, true, NULL, cmd_top },
	{ "version", NULL, 0, 0, NULL, true, false, NULL, cmd_version },
	{ "config", NULL, 0, ANY_ARGS, NULL, false, false, NULL, cmd_config },
};

/* Parse and check @cmd's arguments, attach a handle, run it. */
static int run_command(const struct command *cmd, const char *dev, int argc,
		       char **argv)
{
	struct ctl_call c = { .dev = dev, .argc = argc, .argv = argv };
	int i = 0, ret = CTL_OK;

	if (!cmd->own_args) {
		i = ctl_options(cmd->name, argc, argv, cmd->opts, &c.set, &ret);
		if (i < 0)
			return ret;
		c.argc -= i;
		c.argv += i;
	}
	if (c.argc > cmd->max_args && cmd->max_args != ANY_ARGS && !cmd->usage)
		return ctl_usage_error(cmd->name, "unexpected argument '%s'",
				       c.argv[cmd->max_args]);
	if (c.argc < cmd->min_args ||
	    (c.argc > cmd->max_args && cmd->max_args != ANY_ARGS))
		return ctl_usage_error(cmd->name, "%s", cmd->usage);
	if (cmd->check)
		ret = cmd->check(&c);
	if (ret == CTL_OK && cmd->open)
		ret = ctl_open(cmd->name, dev, &c.cache);
	if (ret == CTL_OK)
		ret = cmd->run(&c);
	if (c.cache)
		vmemcache_delete(c.cache);
	free(c.buf);
	return ret;
}

void ctl_help(void)
{
	printf(
"Usage: " PROG " [-d DEVICE] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  put [--replace] KEY [VALUE]  store VALUE (or all of stdin) under KEY;\n"
"                               --replace overwrites an existing value\n"
"  get [--meta] KEY             write the value of KEY to stdout; --meta\n"
"                               its client flags, CAS and expiry to stderr\n"
"  exists KEY                   print the size of the value of KEY\n"
"  evict [KEY]                  evict KEY, or the least recently used entry\n"
"  evict --prefix PREFIX        evict every key that starts with PREFIX;\n"
"                               prints how many\n"
"  keys [--sizes] [--meta] [PREFIX]\n"
"                               list the keys (that start with PREFIX), one\n"
"                               a line (\\xNN for other bytes), with\n"
"                               --sizes their value sizes too, with --meta\n"
"                               their client flags, CAS and expiry\n"
"  stat [--json]                show the cache's counters\n"
"  top [-i SEC] [-n COUNT]      a line of rates every SEC seconds (default 1)\n"
"  version                      show the module's API version and features\n"
"  config [NAME[=VALUE] ...]    show all sysfs tunables, show one, or set one\n"
"\n"
"Options:\n"
"  -d, --device DEVICE  the cache device (default: $VMEMCACHE_DEV or "
DEV_DEFAULT ")\n"
"  -h, --help           show this help\n"
"\n"
"Environment: VMEMCACHE_DEV, VMEMCACHE_SYSFS (default: "
"/sys/class/misc/vmemcache).\n"
"Exit status: 0 success, 1 key not found, 2 usage error, 3 other error.\n");
}

int main(int argc, char **argv)
{
	const char *dev = getenv("VMEMCACHE_DEV");
	int i;

	if (!dev || !*dev)
		dev = DEV_DEFAULT;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			ctl_help();
			return CTL_OK;
		}
		if (!strcmp(a, "-d") || !strcmp(a, "--device")) {
			if (++i == argc)
				return ctl_usage_error(a, "missing DEVICE");
			dev = argv[i];
		} else if (!strncmp(a, "-d", 2)) {
			dev = a + 2;
		} else if (!strncmp(a, "--device=", 9)) {
			dev = a + 9;
		} else {
			return ctl_usage_error(a, "unknown option");
		}
	}
	if (i == argc) {
		fprintf(stderr, PROG ": missing COMMAND\n");
		fprintf(stderr, "Try '" PROG " --help' for more information.\n");
		return CTL_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return run_command(&commands[c], dev, argc - i - 1,
					   argv + i + 1);
	return ctl_usage_error(argv[i], "unknown command");
}

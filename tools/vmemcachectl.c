// SPDX-License-Identifier: GPL-2.0
/*
 * vmemcachectl.c -- main() of vmemcachectl, the command-line client of the
 * vmemcache kernel cache: global options, the help text and dispatch to
 * the commands (cmd_*.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define DEV_DEFAULT "/dev/vmemcache"

static const struct command {
	const char *name;
	int (*run)(const char *dev, int argc, char **argv);
} commands[] = {
	{ "put", cmd_put },
	{ "get", cmd_get },
	{ "exists", cmd_exists },
	{ "evict", cmd_evict },
	{ "keys", cmd_keys },
	{ "stat", cmd_stat },
	{ "top", cmd_top },
	{ "version", cmd_version },
	{ "config", cmd_config },
};

void ctl_help(void)
{
	printf(
"Usage: " PROG " [-d DEVICE] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  put [--replace] KEY [VALUE]  store VALUE (or all of stdin) under KEY;\n"
"                               --replace overwrites an existing value\n"
"  get KEY                      write the value of KEY to stdout\n"
"  exists KEY                   print the size of the value of KEY\n"
"  evict [KEY]                  evict KEY, or the least recently used entry\n"
"  evict --prefix PREFIX        evict every key that starts with PREFIX;\n"
"                               prints how many\n"
"  keys [--sizes] [PREFIX]      list the keys (that start with PREFIX), one\n"
"                               a line (\\xNN for other bytes), with\n"
"                               --sizes their value sizes too\n"
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
			return commands[c].run(dev, argc - i - 1, argv + i + 1);
	return ctl_usage_error(argv[i], "unknown command");
}

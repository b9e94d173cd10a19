# SPDX-License-Identifier: GPL-2.0
#
# What the userspace builds of module sources share: the kernel's tools
# tree (tools/include, tools/lib/rbtree.c, tools/arch/x86/include) from
# Debian's linux-source-6.1 tarball, extracted into KSRC if missing, and
# the flags that put the shims in front of it.

SHIM := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
KSRC ?= $(HOME)/.cache/ksrc/linux-source-6.1
KSRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
KSRC_STAMP := $(KSRC)/tools/lib/rbtree.c

# The shims come first and shadow tools/include's pthread spinlocks and
# slab.h.
SHIM_CPPFLAGS := -I$(SHIM) -I$(KSRC)/tools/include -I$(TOP)/module
SHIM_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer

$(KSRC_STAMP):
	@test -r $(KSRC_TAR) || \
	  { echo "$(KSRC_TAR) missing: apt-get install linux-source-6.1" >&2; exit 1; }
	mkdir -p $(dir $(KSRC))
	tar -xJf $(KSRC_TAR) -C $(dir $(KSRC)) \
		linux-source-6.1/tools/include linux-source-6.1/tools/lib/rbtree.c \
		linux-source-6.1/tools/arch/x86/include
	touch $@

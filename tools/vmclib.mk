# SPDX-License-Identifier: GPL-2.0
#
# tools/vmclib.mk -- how the tools link libvmemcache-kdev, for tools/Makefile
# and tools/vmemcached/Makefile (which set TOP first): statically with
# lib/libvmemcache-kdev.a by default (the busybox guest has no libc);
# STATIC= links dynamically against lib/'s .so (the Debian package does).

VMCLIB := $(TOP)/lib
VMCLIB_A := $(VMCLIB)/libvmemcache-kdev.a

CC ?= cc
CFLAGS ?= -O2 -g
STATIC ?= -static
ifeq ($(STATIC),)
VMCLIB_DEP := $(VMCLIB)/libvmemcache-kdev.so
VMCLIB_LINK := -L$(VMCLIB) -lvmemcache-kdev
else
VMCLIB_DEP := $(VMCLIB_A)
VMCLIB_LINK := $(VMCLIB_A)
endif

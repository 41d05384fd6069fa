#ifndef POUNCE_CCAPABILITIES_SHIM_H
#define POUNCE_CCAPABILITIES_SHIM_H

/* Keeping chosen capabilities across setuid(2): prctl and the raw capset syscall are
   variadic or have no glibc wrapper, so Swift calls them through these. */
#include <linux/capability.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* PR_SET_KEEPCAPS: the permitted set survives the switch away from uid 0 (this thread). */
static inline int pounce_keep_capabilities_across_setuid(int on) {
    return prctl(PR_SET_KEEPCAPS, on, 0, 0, 0);
}

/* Makes `mask` (bit N = capability N) the permitted and effective sets of this thread, with
   nothing inheritable; threads created afterwards start with the same sets. */
static inline int pounce_set_capabilities(uint64_t mask) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
    data[0].permitted = data[0].effective = (uint32_t)mask;
    data[1].permitted = data[1].effective = (uint32_t)(mask >> 32);
    return (int)syscall(SYS_capset, &header, data);
}

#endif

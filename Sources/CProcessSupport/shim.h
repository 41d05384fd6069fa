#ifndef POUNCE_CPROCESSSUPPORT_SHIM_H
#define POUNCE_CPROCESSSUPPORT_SHIM_H

/* Process-level calls Swift cannot make directly: prctl is variadic, capset has no glibc
   wrapper, and glibc's module map does not carry <sys/signalfd.h>. */
#include <linux/capability.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
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

/* PR_SET_PDEATHSIG: the kernel sends `signal` to this process when the thread that
   started it exits (a supervised worker dies with its supervisor). Credential changes
   clear it, so it is set after privileges are dropped. */
static inline int pounce_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}

/* PR_SET_NAME: the name ps and pgrep show for this process (a worker started through
   /proc/self/exe would otherwise be called "exe"). */
static inline int pounce_set_process_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/* glibc 2.29's posix_spawn_file_actions_addchdir_np, declared only under _GNU_SOURCE. */
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);

static inline int pounce_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

/* A close-on-exec, non-blocking signalfd for `set`; its reads give the signal numbers. */
static inline int pounce_signalfd(const sigset_t *set) {
    return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Reads one signal from a signalfd: its number, or -1 when none is pending. */
static inline int pounce_signalfd_take(int fd) {
    struct signalfd_siginfo info;
    return read(fd, &info, sizeof info) == (ssize_t)sizeof info ? (int)info.ssi_signo : -1;
}

#endif

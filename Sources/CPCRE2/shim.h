#ifndef POUNCE_CPCRE2_SHIM_H
#define POUNCE_CPCRE2_SHIM_H

/* PCRE2 picks its code unit width at preprocessing time; Pounce only ever
   matches bytes (Pound compiles patterns without PCRE2_UTF), so the 8-bit
   library is the one we link. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <stddef.h>
#include <stdint.h>
#include <pcre2.h>

/* These two are cast expressions (~(PCRE2_SIZE)0), which the Swift clang
   importer drops; expose them as functions instead. */
static inline PCRE2_SIZE cpcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }
static inline PCRE2_SIZE cpcre2_unset(void) { return PCRE2_UNSET; }

#endif

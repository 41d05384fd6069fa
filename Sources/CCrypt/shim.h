#ifndef POUNCE_CCRYPT_SHIM_H
#define POUNCE_CCRYPT_SHIM_H

/* libxcrypt: crypt_rn() for BasicAuth password files (DES, $1$, $5$, $6$,
   bcrypt, yescrypt...). Only declarations; the hashing lives in libcrypt. */
#include <crypt.h>

#endif

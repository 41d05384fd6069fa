#ifndef POUNCE_CCARES_SHIM_H
#define POUNCE_CCARES_SHIM_H
// c-ares, the asynchronous DNS client dynamic backends resolve names with.
#include <ares.h>
#endif

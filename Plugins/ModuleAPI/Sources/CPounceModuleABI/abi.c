/* The C ABI is the header alone; SwiftPM wants a source file in a C target. */
#include "pounce_module.h"

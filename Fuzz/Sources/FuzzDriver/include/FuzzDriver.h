#ifndef POUNCE_FUZZ_DRIVER_H
#define POUNCE_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with the command line `argv` on `callback` (as libFuzzer's own main
/// does with LLVMFuzzerTestOneInput), then exits with libFuzzer's status.
__attribute__((noreturn))
void pounce_fuzz_main(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));

#endif

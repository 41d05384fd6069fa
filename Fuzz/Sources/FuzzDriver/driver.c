#include <stdlib.h>
#include "FuzzDriver.h"

// In libclang_rt.fuzzer, which -sanitize=fuzzer links into every executable.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

void pounce_fuzz_main(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size)) {
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback));
}

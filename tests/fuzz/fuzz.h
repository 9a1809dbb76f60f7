/*
 * tests/fuzz: libFuzzer targets for tocsin's parsers (docs/security.md "Fuzzing"). Each
 * fuzz_NAME.c defines `int fuzz_NAME(const uint8_t *data, size_t size)` and FUZZ_ENTRY(fuzz_NAME):
 * built by `make fuzz` (clang, -fsanitize=fuzzer,address,undefined, TOCSIN_LIBFUZZER defined) it
 * is the libFuzzer entry point; built into tests/unit/fuzz/test_fuzz_corpus.c (gcc, `make SAN=1
 * unit`) it is a plain function that test replays over tests/fuzz/corpus/NAME/, so every input
 * kept there (seeds, and every crash found, once fixed) runs on each unit run.
 */
#ifndef TOCSIN_FUZZ_H
#define TOCSIN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef TOCSIN_LIBFUZZER
#define FUZZ_ENTRY(fn)                                                                             \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                  \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                   \
    {                                                                                              \
        return fn(data, size);                                                                     \
    }
#else
#define FUZZ_ENTRY(fn)
#endif

/* A fuzz target found a disagreement (not a crash): abort, so libFuzzer and the replay see it. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif

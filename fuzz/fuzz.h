/* What the libFuzzer targets share: the entry point's prototype, an
 * invariant check that crashes (so libFuzzer keeps the input), and a copy of
 * the input as the C string the responder would have been given. */
#ifndef USERS_FUZZ_H
#define USERS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of a module's header is a finding like a crash. */
#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
			    __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/*
 * The input up to its first NUL, NUL-terminated, in a heap block of exactly
 * that size, so AddressSanitizer sees any read past the end. FastCGI
 * parameters and header values cannot hold a NUL, so cutting there loses
 * nothing real. The caller frees it.
 */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	const void *nul = memchr(data, '\0', size);
	size_t len = nul ? (size_t)((const uint8_t *)nul - data) : size;
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

#endif

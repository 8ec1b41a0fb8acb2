/* Secret and key files (the database password, the JWT secret, public and
 * private keys): read whole, and wiped before they are freed. */
#ifndef USERS_SECRET_H
#define USERS_SECRET_H

#include <stddef.h>

/* Such files are small; a bigger one is a wrong path. */
#define SECRET_FILE_MAX (64 * 1024)

/*
 * Reads file whole into *out, NUL-terminated, *len bytes before the NUL
 * (the file may hold NULs of its own); with strip_newline one trailing
 * '\n' goes (editors add it). A file that is not a regular one, or is over
 * SECRET_FILE_MAX bytes, is refused. Returns 0, or -1 with the reason in
 * why: the path and the error, never the content. The caller frees *out
 * with secret_free(*out, *len).
 */
int secret_read_file(const char *file, int strip_newline, char **out,
    size_t *len, char *why, size_t whylen);

/* Wipes len bytes at p, then frees it; p may be NULL. */
void secret_free(void *p, size_t len);

#endif

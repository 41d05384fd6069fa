/*
 * Pounce module C ABI, version 1: balancing and session modules written in C (or
 * anything that can export a C function). A module is a shared library exporting
 *
 *     const pounce_module_v1 *pounce_module_c_entry_v1(void);
 *
 * which returns a table that stays valid while the library is loaded. Pounce checks
 * `abi_version` first and refuses other versions with a clear error.
 *
 * All strings handed to a module are byte ranges (pointer + length), not
 * NUL-terminated, valid only during the call. Keys a module returns are written into
 * the caller's buffer; Pounce keeps at most 127 bytes of a key, as Pound does.
 * Calls come from several threads at once: instances must be thread-safe.
 */
#ifndef POUNCE_MODULE_H
#define POUNCE_MODULE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POUNCE_MODULE_C_ABI_VERSION 1u

/* What a session module sees of a request. */
typedef struct pounce_request {
    const char *method;  size_t method_len;
    /* The request target as the client sent it: path and query. */
    const char *uri;     size_t uri_len;
    /* The client's address in text form (IPv4, IPv6, or the UNIX socket path). */
    const char *client;  size_t client_len;
    /* The first value of header `name` (case-insensitive, NUL-terminated), NULL if
       there is none; its length in *len. */
    const char *(*header)(const struct pounce_request *request, const char *name, size_t *len);
    void *host;          /* Pounce's own; do not touch. */
} pounce_request;

/* What a session module sees of a response. */
typedef struct pounce_response {
    int status;
    /* The index-th value (0 = first) of header `name`, NULL past the last. */
    const char *(*header)(const struct pounce_response *response, const char *name, size_t index,
                          size_t *len);
    void *host;
} pounce_response;

typedef struct pounce_session_type {
    /* The name `Session ... Type "name"` selects (case-insensitive). */
    const char *name;
    /* One instance per `Session` block; `id` is its ID (NULL if none). On failure
       return NULL and write a message into error. */
    void *(*create)(const char *id, int ttl, char *error, size_t error_size);
    /* The key of the request's session: write it into key (at most key_size bytes)
       and return its length, or return -1 when the request has none. */
    long (*request_key)(void *instance, const pounce_request *request, char *key, size_t key_size);
    /* A key the response establishes (e.g. from Set-Cookie), as request_key; may be
       NULL when the type learns nothing from responses. */
    long (*response_key)(void *instance, const pounce_response *response, const pounce_request *request,
                         char *key, size_t key_size);
    void (*destroy)(void *instance);
} pounce_session_type;

typedef struct pounce_balancer_type {
    /* The name `Balancer "name"` selects (case-insensitive). */
    const char *name;
    /* One instance per balancer group of a service: its backends' addresses (text,
       NUL-terminated, e.g. "127.0.0.1:8080") and weights (Priority), in
       configuration order. On failure return NULL and write a message into error. */
    void *(*create)(size_t count, const char *const *addresses, const int *weights, char *error,
                    size_t error_size);
    /* The index of the backend to use, one with usable[i] != 0, or -1 for none.
       `key` is the request's session key (NULL when there is none). */
    long (*choose)(void *instance, const unsigned char *usable, size_t count, const char *key,
                   size_t key_len);
    void (*destroy)(void *instance);
} pounce_balancer_type;

typedef struct pounce_module_v1 {
    unsigned abi_version; /* POUNCE_MODULE_C_ABI_VERSION */
    size_t session_type_count;
    const pounce_session_type *session_types;
    size_t balancer_type_count;
    const pounce_balancer_type *balancer_types;
} pounce_module_v1;

typedef const pounce_module_v1 *(*pounce_module_c_entry_v1_fn)(void);

#ifdef __cplusplus
}
#endif

#endif

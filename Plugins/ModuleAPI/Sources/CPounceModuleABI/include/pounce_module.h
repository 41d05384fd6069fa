/*
 * Pounce module C ABI: balancing and session modules written in C (or anything that
 * can export a C function). A module is a shared library exporting
 *
 *     const pounce_module_v2 *pounce_module_c_entry_v2(void);   (version 2)
 *     const pounce_module_v1 *pounce_module_c_entry_v1(void);   (version 1)
 *
 * which returns a table that stays valid while the library is loaded. Pounce checks
 * `abi_version` first and refuses versions it does not know with a clear error.
 * Version 1 modules keep loading: version 2 only adds (client-affinity types, edits,
 * `header_at`), and every version 1 structure keeps its layout.
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

#define POUNCE_MODULE_C_ABI_VERSION 2u
#define POUNCE_MODULE_C_ABI_VERSION_1 1u

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
    /* Version 2: the index-th value (0 = first) of header `name`, NULL past the last. */
    const char *(*header_at)(const struct pounce_request *request, const char *name, size_t index, size_t *len);
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

/* ---- Version 2: client-affinity session types ---- */

/* Header changes a module asks for; Pounce applies them in order. `name` is
   NUL-terminated; values are byte ranges. */
typedef struct pounce_edits {
    /* Every value of `name` replaced by this one (value NULL: the header removed). */
    void (*set_header)(struct pounce_edits *edits, const char *name, const char *value, size_t value_len);
    /* One more value of `name`, at the end. */
    void (*append_header)(struct pounce_edits *edits, const char *name, const char *value, size_t value_len);
    void *host;          /* Pounce's own; do not touch. */
} pounce_edits;

/* A `Session` block: its ID and TTL, and the cookie attributes (Path, Domain, SameSite
   NULL when not set; max_age -1 when not set; the flags 0 or 1). */
typedef struct pounce_session_settings {
    const char *type;
    const char *id;
    int ttl;
    const char *path;
    const char *domain;
    const char *same_site;
    long max_age;
    int secure;
    int http_only;
    int no_cache;
} pounce_session_settings;

/* A session type that keeps affinity in the client (a cookie), not in Pounce's table:
   requests name their backend by its tag (the backend's CookieValue, else a keyed hash
   of its address), responses tell the client the tag of the backend that answered. */
typedef struct pounce_affinity_type {
    /* The name `Session ... Type "name"` selects (case-insensitive). */
    const char *name;
    /* One instance per `Session` block. On failure return NULL and write a message into
       error. */
    void *(*create)(const pounce_session_settings *settings, char *error, size_t error_size);
    /* The backend tag the request carries: write it into tag (at most tag_size bytes)
       and return its length, or -1 when it carries none. Changes to the forwarded
       request (taking the tag out) go through edits. */
    long (*request_tag)(void *instance, const pounce_request *request, pounce_edits *edits, char *tag,
                        size_t tag_size);
    /* The response of the backend tagged backend_tag to a request that carried
       requested_tag (NULL when none). Changes to the response go through edits. */
    void (*respond)(void *instance, const pounce_response *response, const pounce_request *request,
                    const char *backend_tag, size_t backend_tag_len, const char *requested_tag,
                    size_t requested_tag_len, pounce_edits *edits);
    void (*destroy)(void *instance);
} pounce_affinity_type;

typedef struct pounce_module_v2 {
    unsigned abi_version; /* POUNCE_MODULE_C_ABI_VERSION (2) */
    size_t session_type_count;
    const pounce_session_type *session_types;
    size_t balancer_type_count;
    const pounce_balancer_type *balancer_types;
    size_t affinity_type_count;
    const pounce_affinity_type *affinity_types;
} pounce_module_v2;

typedef const pounce_module_v2 *(*pounce_module_c_entry_v2_fn)(void);

#ifdef __cplusplus
}
#endif

#endif

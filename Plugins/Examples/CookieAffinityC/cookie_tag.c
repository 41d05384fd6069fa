/*
 * HeaderTag: a client-affinity session type for Pounce, in C (module ABI version 2).
 *
 *     Session
 *         Type "HeaderTag"
 *         ID   "X-Backend-Tag"      # the header that carries the tag (and the cookie's name)
 *         Path "/"                  # optional: the cookie's attributes
 *     End
 *
 * The client keeps its affinity: a request whose header (named by ID) carries a backend's
 * tag goes to that backend while it lives. The header is taken out of the request, so
 * backends never see it. Every response carries the tag of the backend that answered in
 * the same header; when that is not the tag the request asked for (none, or one of a dead
 * backend), the response also sets a cookie of that name, with the Session's attributes.
 * Pounce computes the tags (a backend's CookieValue, else a keyed hash of its address)
 * and decides where a request goes; the module only reads and writes headers.
 *
 * Instances hold only what create computed, so calls from several threads need no lock.
 */
#include <pounce_module.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct header_tag {
    char *id;                /* the header, and the cookie, name */
    char attributes[512];    /* "; Path=/; Secure...": what follows NAME=VALUE in Set-Cookie */
    int no_cache;
};

/* Appends to a NUL-terminated buffer; 0 when the text does not fit. */
static int add(char *buffer, size_t size, const char *format, ...) {
    size_t used = strlen(buffer);
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buffer + used, size - used, format, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < size - used;
}

static void *header_tag_create(const pounce_session_settings *s, char *error, size_t error_size) {
    if (!s->id || !*s->id) {
        snprintf(error, error_size, "needs an ID: the header that carries the backend tag");
        return NULL;
    }
    struct header_tag *t = calloc(1, sizeof *t);
    if (!t || !(t->id = strdup(s->id))) {
        free(t);
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    /* The attributes never change: built once, here, not per response. */
    char *a = t->attributes;
    size_t size = sizeof t->attributes;
    int ok = 1;
    if (s->path) ok &= add(a, size, "; Path=%s", s->path);
    if (s->domain) ok &= add(a, size, "; Domain=%s", s->domain);
    if (s->max_age >= 0) ok &= add(a, size, "; Max-Age=%ld", s->max_age);
    if (s->secure) ok &= add(a, size, "; Secure");
    if (s->http_only) ok &= add(a, size, "; HttpOnly");
    if (s->same_site) ok &= add(a, size, "; SameSite=%s", s->same_site);
    if (!ok) {
        free(t->id);
        free(t);
        snprintf(error, error_size, "the cookie attributes are too long");
        return NULL;
    }
    t->no_cache = s->no_cache;
    return t;
}

static long header_tag_request_tag(void *instance, const pounce_request *request, pounce_edits *edits,
                                   char *tag, size_t tag_size) {
    struct header_tag *t = instance;
    const char *value = NULL, *v;
    size_t value_len = 0, len, count = 0;
    /* Every value, not just the first: the tag is the first non-empty one, and all of
       them must go, or a client sending the header twice would get one to the backend. */
    while ((v = request->header_at(request, t->id, count, &len)) != NULL) {
        if (!value && len > 0) {
            value = v;
            value_len = len;
        }
        count++;
    }
    if (count == 0) return -1;
    edits->set_header(edits, t->id, NULL, 0);
    /* Longer than any tag Pounce makes: no tag of ours, so none. */
    if (!value || value_len >= tag_size) return -1;
    memcpy(tag, value, value_len);
    return (long)value_len;
}

static void header_tag_respond(void *instance, const pounce_response *response, const pounce_request *request,
                               const char *backend_tag, size_t backend_len, const char *requested,
                               size_t requested_len, pounce_edits *edits) {
    struct header_tag *t = instance;
    (void)response;
    (void)request;
    /* Set, not appended: a header of that name from the backend itself must not reach the
       client as a second tag. */
    edits->set_header(edits, t->id, backend_tag, backend_len);
    if (requested && requested_len == backend_len && memcmp(requested, backend_tag, backend_len) == 0) return;

    /* New to this backend: the cookie too, beside any the backend sets (appended). */
    char cookie[1024];
    int n = snprintf(cookie, sizeof cookie, "%s=%.*s%s", t->id, (int)backend_len, backend_tag, t->attributes);
    if (n < 0 || (size_t)n >= sizeof cookie) return;
    edits->append_header(edits, "Set-Cookie", cookie, (size_t)n);
    /* NoCache: no shared cache may hand this client's cookie to another. */
    if (t->no_cache) edits->set_header(edits, "Cache-Control", "private", 7);
}

static void header_tag_destroy(void *instance) {
    struct header_tag *t = instance;
    free(t->id);
    free(t);
}

static const pounce_affinity_type affinity_types[] = {
    { "HeaderTag", header_tag_create, header_tag_request_tag, header_tag_respond, header_tag_destroy },
};

static const pounce_module_v2 module = {
    POUNCE_MODULE_C_ABI_VERSION,
    0, NULL,                 /* no session types keyed in Pounce's table */
    0, NULL,                 /* no balancers */
    1, affinity_types,
};

const pounce_module_v2 *pounce_module_c_entry_v2(void) { return &module; }

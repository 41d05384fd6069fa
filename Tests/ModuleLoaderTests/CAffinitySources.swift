/// The C modules of ABI version 2 the tests compile, and the version edge cases of
/// both entry points.
enum CAffinitySources {
    /// Affinity type "tagged": the tag is the first non-empty value of the header named
    /// by ID (found with `header_at`); the header is removed from the request and the tag
    /// reported in `X-Tag-Seen`. Its response edits report what it was given. A request
    /// with `X-Describe` gets its instance's settings as the tag. Affinity type "fixed"
    /// (no create) answers a 200-byte tag. Session type "hdr2" and balancer "first", v1
    /// types in a v2 table. Counts instances destroyed.
    static let working = #"""
    #include <pounce_module.h>
    #include <stdlib.h>
    #include <string.h>
    #include <stdio.h>

    static int destroyed;
    int test_affinity_destroyed_count(void) { return destroyed; }

    static long put(char *out, size_t size, const char *text, size_t len) {
        memcpy(out, text, len < size ? len : size);
        return (long)len;
    }
    static const char *or_dash(const char *s) { return s ? s : "-"; }

    struct tagged { char *id; char settings[200]; };

    static void *tagged_create(const pounce_session_settings *s, char *error, size_t error_size) {
        if (!s->id) { snprintf(error, error_size, "ID is required"); return NULL; }
        if (strcmp(s->id, "silent") == 0) return NULL;   /* fails without a message */
        struct tagged *t = malloc(sizeof *t);
        t->id = strdup(s->id);
        snprintf(t->settings, sizeof t->settings, "%s|%s|%d|%s|%s|%s|%ld|%d%d%d", s->type, s->id, s->ttl,
                 or_dash(s->path), or_dash(s->domain), or_dash(s->same_site), s->max_age,
                 s->secure, s->http_only, s->no_cache);
        return t;
    }

    static long tagged_request_tag(void *instance, const pounce_request *r, pounce_edits *e,
                                   char *tag, size_t size) {
        struct tagged *t = instance;
        size_t len;
        if (r->header(r, "X-Describe", &len)) return put(tag, size, t->settings, strlen(t->settings));
        /* Every value is looked at; the one kept must stay valid while the others are read. */
        const char *found = NULL, *v;
        size_t found_len = 0, count = 0;
        while ((v = r->header_at(r, t->id, count, &len)) != NULL) {
            if (len > 0 && !found) { found = v; found_len = len; }
            count++;
        }
        if (count == 0) return -1;
        e->set_header(e, t->id, NULL, 0);
        if (!found) return -1;
        e->append_header(e, "X-Tag-Seen", found, found_len);
        return put(tag, size, found, found_len);
    }

    static void tagged_respond(void *instance, const pounce_response *resp, const pounce_request *r,
                               const char *backend, size_t backend_len, const char *requested,
                               size_t requested_len, pounce_edits *e) {
        struct tagged *t = instance;
        char text[300];
        size_t len;
        e->append_header(e, "X-Served-By", backend, backend_len);
        int moved = requested && (requested_len != backend_len || memcmp(requested, backend, backend_len) != 0);
        if (!requested) {
            e->append_header(e, "X-Requested", "none", 4);
        } else if (moved) {
            int n = snprintf(text, sizeof text, "%.*s->%.*s", (int)requested_len, requested, (int)backend_len, backend);
            e->append_header(e, "X-Moved", text, (size_t)n);
        }
        if (!requested || moved) e->set_header(e, t->id, backend, backend_len);
        /* What it saw of the response (second Set-Cookie) and of the request. */
        const char *cookie = resp->header(resp, "Set-Cookie", 1, &len);
        int n = snprintf(text, sizeof text, "%d %.*s %.*s", resp->status, (int)r->method_len, r->method,
                         cookie ? (int)len : 1, cookie ? cookie : "-");
        e->append_header(e, "X-Seen", text, (size_t)n);
        /* An empty value is a value, not a removal. */
        if (r->header(r, "X-Blank", &len)) e->set_header(e, "X-Blank", "", 0);
    }

    static void tagged_destroy(void *instance) {
        struct tagged *t = instance;
        free(t->id);
        free(t);
        destroyed++;
    }

    static long fixed_request_tag(void *instance, const pounce_request *r, pounce_edits *e,
                                  char *tag, size_t size) {
        char text[200];
        memset(text, 'k', sizeof text);
        return put(tag, size, text, sizeof text);
    }
    static void fixed_respond(void *instance, const pounce_response *resp, const pounce_request *r,
                              const char *backend, size_t backend_len, const char *requested,
                              size_t requested_len, pounce_edits *e) {}

    static long hdr2_request_key(void *instance, const pounce_request *r, char *key, size_t size) {
        size_t len;
        const char *v = r->header(r, "X-Key", &len);
        return v ? put(key, size, v, len) : -1;
    }
    static long first_choose(void *instance, const unsigned char *usable, size_t count, const char *key,
                             size_t key_len) {
        for (size_t i = 0; i < count; i++) if (usable[i]) return (long)i;
        return -1;
    }

    static const pounce_session_type sessions[] = { { "hdr2", NULL, hdr2_request_key, NULL, NULL } };
    static const pounce_balancer_type balancers[] = { { "first", NULL, first_choose, NULL } };
    static const pounce_affinity_type affinity[] = {
        { "tagged", tagged_create, tagged_request_tag, tagged_respond, tagged_destroy },
        { "fixed", NULL, fixed_request_tag, fixed_respond, NULL },
    };
    static const pounce_module_v2 module = {
        POUNCE_MODULE_C_ABI_VERSION, 1, sessions, 1, balancers, 2, affinity,
    };
    const pounce_module_v2 *pounce_module_c_entry_v2(void) { return &module; }
    """#

    /// A v1 table (session type "old", key: `X-Key`) whose `abi_version` is `version`, a
    /// C expression: `POUNCE_MODULE_C_ABI_VERSION_1` as an old module wrote it, or
    /// `POUNCE_MODULE_C_ABI_VERSION` (2) as the same source recompiled now writes it.
    static func v1(version: String) -> String {
        #"""
        #include <pounce_module.h>
        #include <string.h>
        static long key(void *i, const pounce_request *r, char *k, size_t s) {
            size_t n;
            const char *v = r->header(r, "X-Key", &n);
            if (!v) return -1;
            memcpy(k, v, n < s ? n : s);
            return (long)n;
        }
        static const pounce_session_type sessions[] = { { "old", 0, key, 0, 0 } };
        static const pounce_module_v1 module = { \#(version), 1, sessions, 0, 0 };
        const pounce_module_v1 *pounce_module_c_entry_v1(void) { return &module; }
        """#
    }

    /// An empty v2 table saying `version`.
    static func v2(version: Int) -> String {
        """
        #include <pounce_module.h>
        static const pounce_module_v2 module = { \(version), 0, 0, 0, 0, 0, 0 };
        const pounce_module_v2 *pounce_module_c_entry_v2(void) { return &module; }
        """
    }

    /// Both entry points: v1 offers session type "old", v2 session type "new".
    static let bothEntries = #"""
    #include <pounce_module.h>
    static long key(void *i, const pounce_request *r, char *k, size_t s) { return -1; }
    static const pounce_session_type old_types[] = { { "old", 0, key, 0, 0 } };
    static const pounce_session_type new_types[] = { { "new", 0, key, 0, 0 } };
    static const pounce_module_v1 v1 = { POUNCE_MODULE_C_ABI_VERSION_1, 1, old_types, 0, 0 };
    static const pounce_module_v2 v2 = { POUNCE_MODULE_C_ABI_VERSION, 1, new_types, 0, 0, 0, 0 };
    const pounce_module_v1 *pounce_module_c_entry_v1(void) { return &v1; }
    const pounce_module_v2 *pounce_module_c_entry_v2(void) { return &v2; }
    """#

    /// A v2 table with a good session type, a good affinity type and then `entry`, a
    /// `pounce_affinity_type` initializer (`tag` and `respond` are working functions).
    static func brokenAffinity(_ entry: String) -> String {
        #"""
        #include <pounce_module.h>
        static long key(void *i, const pounce_request *r, char *k, size_t s) { return -1; }
        static long tag(void *i, const pounce_request *r, pounce_edits *e, char *t, size_t s) { return -1; }
        static void respond(void *i, const pounce_response *resp, const pounce_request *r, const char *b,
                            size_t bl, const char *q, size_t ql, pounce_edits *e) {}
        static const pounce_session_type sessions[] = { { "good", 0, key, 0, 0 } };
        static const pounce_affinity_type affinity[] = {
            { "fine", 0, tag, respond, 0 },
            \#(entry),
        };
        static const pounce_module_v2 module = { POUNCE_MODULE_C_ABI_VERSION, 1, sessions, 0, 0, 2, affinity };
        const pounce_module_v2 *pounce_module_c_entry_v2(void) { return &module; }
        """#
    }

    /// `affinity_type_count` without `affinity_types`.
    static let missingAffinityArray = #"""
    #include <pounce_module.h>
    static const pounce_module_v2 module = { POUNCE_MODULE_C_ABI_VERSION, 0, 0, 0, 0, 1, 0 };
    const pounce_module_v2 *pounce_module_c_entry_v2(void) { return &module; }
    """#

    /// `pounce_module_c_entry_v2` returning NULL.
    static let nullTable = #"""
    #include <pounce_module.h>
    const pounce_module_v2 *pounce_module_c_entry_v2(void) { return 0; }
    """#
}

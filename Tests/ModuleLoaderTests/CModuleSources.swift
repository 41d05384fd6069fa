/// The C modules the tests compile: small, but each exercising one part of the ABI.
enum CModuleSources {
    /// Session type "hdr" (key: the header named by ID; learns `STATUS:VALUE` from the
    /// second value of that header in a response), session type "fields" (key: method,
    /// URI and client joined by spaces), session type "long" (a 200-byte key), balancer
    /// "pick" (the key's digit if usable, else the usable backend of highest weight),
    /// balancer "rogue" (answers out of range). Counts instances destroyed.
    static let working = #"""
    #include <pounce_module.h>
    #include <stdlib.h>
    #include <string.h>
    #include <stdio.h>

    static int destroyed;
    int test_destroyed_count(void) { return destroyed; }

    static long put(char *key, size_t size, const char *text, size_t len) {
        memcpy(key, text, len < size ? len : size);
        return (long)len;
    }

    struct hdr { char *id; int ttl; };

    static void *hdr_create(const char *id, int ttl, char *error, size_t error_size) {
        if (!id) { snprintf(error, error_size, "ID is required"); return NULL; }
        struct hdr *h = malloc(sizeof *h);
        h->id = strdup(id);
        h->ttl = ttl;
        return h;
    }
    static long hdr_request_key(void *instance, const pounce_request *r, char *key, size_t size) {
        struct hdr *h = instance;
        size_t len;
        const char *v = r->header(r, h->id, &len);
        if (!v) return -1;
        return put(key, size, v, len);
    }
    static long hdr_response_key(void *instance, const pounce_response *resp, const pounce_request *r,
                                 char *key, size_t size) {
        struct hdr *h = instance;
        size_t len;
        const char *v = resp->header(resp, h->id, 1, &len);
        if (!v) return -1;
        char text[128];
        int n = snprintf(text, sizeof text, "%d:%.*s", resp->status, (int)len, v);
        return put(key, size, text, (size_t)n);
    }
    static void hdr_destroy(void *instance) {
        struct hdr *h = instance;
        free(h->id);
        free(h);
        destroyed++;
    }

    static long fields_request_key(void *instance, const pounce_request *r, char *key, size_t size) {
        char text[128];
        int n = snprintf(text, sizeof text, "%.*s %.*s %.*s", (int)r->method_len, r->method,
                         (int)r->uri_len, r->uri, (int)r->client_len, r->client);
        return put(key, size, text, (size_t)n);
    }

    static long long_request_key(void *instance, const pounce_request *r, char *key, size_t size) {
        char text[200];
        memset(text, 'k', sizeof text);
        return put(key, size, text, sizeof text);
    }

    struct pick { size_t count; int weights[16]; };

    static void *pick_create(size_t count, const char *const *addresses, const int *weights,
                             char *error, size_t error_size) {
        if (count == 0 || count > 16) { snprintf(error, error_size, "wants 1 to 16 backends, got %zu", count); return NULL; }
        for (size_t i = 0; i < count; i++)
            if (strchr(addresses[i], ':') == NULL) { snprintf(error, error_size, "bad address %s", addresses[i]); return NULL; }
        struct pick *p = malloc(sizeof *p);
        p->count = count;
        memcpy(p->weights, weights, count * sizeof *weights);
        return p;
    }
    static long pick_choose(void *instance, const unsigned char *usable, size_t count, const char *key, size_t key_len) {
        struct pick *p = instance;
        if (count != p->count) return -1;
        if (key && key_len == 1 && key[0] >= '0' && key[0] <= '9') {
            size_t i = (size_t)(key[0] - '0');
            if (i < count && usable[i]) return (long)i;
        }
        long best = -1;
        for (size_t i = 0; i < count; i++)
            if (usable[i] && (best < 0 || p->weights[i] > p->weights[best])) best = (long)i;
        return best;
    }
    static void pick_destroy(void *instance) { free(instance); destroyed++; }

    static long rogue_choose(void *instance, const unsigned char *usable, size_t count, const char *key, size_t key_len) {
        return (long)count + 5;
    }

    static const pounce_session_type sessions[] = {
        { "hdr", hdr_create, hdr_request_key, hdr_response_key, hdr_destroy },
        { "fields", NULL, fields_request_key, NULL, NULL },
        { "long", NULL, long_request_key, NULL, NULL },
    };
    static const pounce_balancer_type balancers[] = {
        { "pick", pick_create, pick_choose, pick_destroy },
        { "rogue", NULL, rogue_choose, NULL },
    };
    static const pounce_module_v1 module = {
        POUNCE_MODULE_C_ABI_VERSION, 3, sessions, 2, balancers,
    };
    const pounce_module_v1 *pounce_module_c_entry_v1(void) { return &module; }
    """#

    /// A table from a future ABI.
    static let abi99 = #"""
    #include <pounce_module.h>
    static const pounce_module_v1 module = { 99, 0, 0, 0, 0 };
    const pounce_module_v1 *pounce_module_c_entry_v1(void) { return &module; }
    """#

    /// A session type without request_key, after a good one: nothing may be registered.
    static let broken = #"""
    #include <pounce_module.h>
    static long key(void *i, const pounce_request *r, char *k, size_t s) { return -1; }
    static const pounce_session_type sessions[] = {
        { "good", 0, key, 0, 0 },
        { "bad", 0, 0, 0, 0 },
    };
    static const pounce_module_v1 module = { POUNCE_MODULE_C_ABI_VERSION, 2, sessions, 0, 0 };
    const pounce_module_v1 *pounce_module_c_entry_v1(void) { return &module; }
    """#

    /// A shared library that is no module.
    static let plain = #"""
    int answer(void) { return 42; }
    """#

    /// The Swift entry points, written in C: reports `version`, remembers the registry
    /// pointer it was given.
    static func swiftStyle(version: Int32) -> String {
        """
        static void *seen;
        void *test_seen_registry(void) { return seen; }
        int pounce_module_api_version(void) { return \(version); }
        void pounce_module_register(void *registry) { seen = registry; }
        """
    }

    /// `pounce_module_register` alone.
    static let registerOnly = #"""
    void pounce_module_register(void *registry) { }
    """#
}

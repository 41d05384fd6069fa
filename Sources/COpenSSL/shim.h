#ifndef POUNCE_COPENSSL_SHIM_H
#define POUNCE_COPENSSL_SHIM_H

// OpenSSL 3 for Swift. Swift cannot call function-like macros nor import constants
// built from them (SSL_OP_BIT(n), XN_FLAG_*), so the few the TLS layer needs are
// exposed here as `static inline` functions with a `pounce_` prefix.

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bn.h>
#include <openssl/asn1.h>
#include <stdint.h>

// MARK: memory BIOs

static inline long pounce_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
static inline int pounce_BIO_pending(BIO *b) { return BIO_pending(b); }
static inline long pounce_BIO_set_mem_eof_return(BIO *b, int v) { return BIO_set_mem_eof_return(b, v); }

static inline void pounce_BIO_set_retry_read(BIO *b) { BIO_set_retry_read(b); }
static inline void pounce_BIO_clear_retry_flags(BIO *b) { BIO_clear_retry_flags(b); }

// MARK: SSL_CTX settings

static inline int pounce_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int pounce_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long pounce_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}
static inline long pounce_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long pounce_SSL_CTX_set_dh_auto(SSL_CTX *ctx, int onoff) { return SSL_CTX_set_dh_auto(ctx, onoff); }

typedef int (*pounce_servername_cb)(SSL *ssl, int *alert, void *arg);

static inline long pounce_SSL_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, pounce_servername_cb cb) {
    return SSL_CTX_set_tlsext_servername_callback(ctx, cb);
}
static inline long pounce_SSL_CTX_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg) {
    return SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}
static inline int pounce_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

// MARK: option and mode bits

static inline uint64_t pounce_SSL_OP_ALL(void) { return SSL_OP_ALL; }
static inline uint64_t pounce_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t pounce_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t pounce_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t pounce_SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION(void) {
    return SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION;
}
static inline uint64_t pounce_SSL_OP_ALLOW_CLIENT_RENEGOTIATION(void) { return SSL_OP_ALLOW_CLIENT_RENEGOTIATION; }
static inline uint64_t pounce_SSL_OP_LEGACY_SERVER_CONNECT(void) { return SSL_OP_LEGACY_SERVER_CONNECT; }
static inline uint64_t pounce_SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS(void) { return SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS; }
static inline uint64_t pounce_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t pounce_SSL_OP_IGNORE_UNEXPECTED_EOF(void) { return SSL_OP_IGNORE_UNEXPECTED_EOF; }

// MARK: certificate printing

/// Pound's X-SSL-Subject/Issuer format: `XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB`.
static inline unsigned long pounce_XN_FLAG_ONELINE_UTF8(void) {
    return XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB;
}

/// DNS names of a certificate's subjectAltName extension, one callback per name
/// (GENERAL_NAME is a union Swift cannot read).
static inline void pounce_X509_foreach_dns_san(X509 *x509, void *arg,
                                               void (*each)(const unsigned char *name, int length, void *arg)) {
    GENERAL_NAMES *names = X509_get_ext_d2i(x509, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return;
    int count = sk_GENERAL_NAME_num(names);
    for (int i = 0; i < count; i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) {
            each(ASN1_STRING_get0_data(name->d.dNSName), ASN1_STRING_length(name->d.dNSName), arg);
        }
    }
    GENERAL_NAMES_free(names);
}

static inline void pounce_OPENSSL_free(void *p) { OPENSSL_free(p); }

// MARK: stacks (sk_* are macros over OPENSSL_sk_*)

static inline void pounce_sk_X509_NAME_pop_free(STACK_OF(X509_NAME) *names) {
    sk_X509_NAME_pop_free(names, X509_NAME_free);
}

#endif

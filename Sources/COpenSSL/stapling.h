#ifndef POUNCE_COPENSSL_STAPLING_H
#define POUNCE_COPENSSL_STAPLING_H

// OCSP stapling (RFC 6066 §8): the status-request macros of ssl.h as functions Swift
// can call, and the few steps that are easier in C (an OPENSSL_malloc'd copy handed
// over, the first chain certificate of a context).

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>

/* The server's status callback: SSL_TLSEXT_ERR_OK (stapled), _NOACK (nothing to staple). */
typedef int (*pounce_status_cb)(SSL *ssl, void *arg);

static inline long pounce_SSL_CTX_set_tlsext_status_cb(SSL_CTX *ctx, pounce_status_cb cb) {
    return SSL_CTX_set_tlsext_status_cb(ctx, cb);
}
static inline long pounce_SSL_CTX_set_tlsext_status_arg(SSL_CTX *ctx, void *arg) {
    return SSL_CTX_set_tlsext_status_arg(ctx, arg);
}

/* What the client asked for: TLSEXT_STATUSTYPE_ocsp, or -1 (nothing). */
static inline int pounce_SSL_get_tlsext_status_type(SSL *ssl) { return (int)SSL_get_tlsext_status_type(ssl); }

/* A client's side: ask for a stapled answer, and read the one received (its length, or -1). */
static inline long pounce_SSL_set_tlsext_status_type(SSL *ssl, int type) {
    return SSL_set_tlsext_status_type(ssl, type);
}
static inline long pounce_SSL_get_tlsext_status_ocsp_resp(SSL *ssl, const unsigned char **resp) {
    return SSL_get_tlsext_status_ocsp_resp(ssl, resp);
}

/* Hands `ssl` a copy of `der` to staple: SSL_set_tlsext_status_ocsp_resp takes ownership of
   OPENSSL_malloc'd memory and frees it with the SSL. 1 on success. */
static inline int pounce_SSL_staple_ocsp(SSL *ssl, const unsigned char *der, long length) {
    if (der == NULL || length <= 0) return 0;
    unsigned char *copy = OPENSSL_malloc((size_t)length);
    if (copy == NULL) return 0;
    memcpy(copy, der, (size_t)length);
    if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, length) != 1) {
        OPENSSL_free(copy);
        return 0;
    }
    return 1;
}

/* The certificate that issued `ctx`'s certificate as its chain gives it: the first chain
   certificate (SSL_CTX_use_certificate_chain_file, SSL_CTX_add1_chain_cert), else the first
   of the context-wide extra chain; NULL when there is none. Not up-referenced. */
static inline X509 *pounce_SSL_CTX_get0_issuer(SSL_CTX *ctx) {
    STACK_OF(X509) *chain = NULL;
    if (SSL_CTX_get0_chain_certs(ctx, &chain) == 1 && chain != NULL && sk_X509_num(chain) > 0) {
        return sk_X509_value(chain, 0);
    }
    chain = NULL;
    if (SSL_CTX_get_extra_chain_certs_only(ctx, &chain) == 1 && chain != NULL && sk_X509_num(chain) > 0) {
        return sk_X509_value(chain, 0);
    }
    return NULL;
}

#endif

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
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/ocsp.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include "stapling.h"

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

/* ACME's account and certificate keys: EC P-256 (EVP_PKEY_Q_keygen is variadic). */
static inline EVP_PKEY *pounce_generate_p256_key(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* The affine coordinates of an EC public key, each written big-endian into 32 bytes. */
static inline int pounce_ec_public_xy(const EVP_PKEY *key, unsigned char x[32], unsigned char y[32]) {
    BIGNUM *bx = NULL, *by = NULL;
    int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1
          && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &by) == 1
          && BN_bn2binpad(bx, x, 32) == 32 && BN_bn2binpad(by, y, 32) == 32;
    BN_free(bx);
    BN_free(by);
    return ok;
}

/* An ECDSA signature in DER (what EVP_DigestSign gives) as JWS wants it: r and s, 32 bytes each. */
static inline int pounce_ecdsa_der_to_raw(const unsigned char *der, long length, unsigned char out[64]) {
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, length);
    if (sig == NULL) return 0;
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(sig, &r, &s);
    int ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(s, out + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    return ok;
}

/* A PKCS#10 request for `names` (comma-separated "DNS:a,DNS:b" as subjectAltName; the
   first name is also the subject's CN), signed with `key` over SHA-256, as DER in a buffer
   the caller frees with OPENSSL_free. Returns its length, or -1. */
static inline int pounce_make_csr(EVP_PKEY *key, const char *common_name, const char *alt_names,
                                  unsigned char **der) {
    int length = -1;
    X509_REQ *req = X509_REQ_new();
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION *san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, alt_names);
    if (req == NULL || exts == NULL || san == NULL) goto done;
    if (X509_REQ_set_version(req, 0) != 1) goto done;
    if (X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
                                   (const unsigned char *)common_name, -1, -1, 0) != 1) goto done;
    if (sk_X509_EXTENSION_push(exts, san) == 0) goto done;
    san = NULL;
    if (X509_REQ_add_extensions(req, exts) != 1) goto done;
    if (X509_REQ_set_pubkey(req, key) != 1) goto done;
    if (X509_REQ_sign(req, key, EVP_sha256()) <= 0) goto done;
    *der = NULL;
    length = i2d_X509_REQ(req, der);
done:
    X509_EXTENSION_free(san);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    return length;
}

/* A self-signed certificate for `common_name` with subjectAltName `alt_names` ("DNS:a,..."),
   valid from now for `seconds`, signed with `key` over SHA-256: a placeholder until an
   ACME certificate arrives, or (with `acme_identifier`, 32 bytes) the tls-alpn-01 answer of
   RFC 8737, whose critical id-pe-acmeIdentifier extension holds SHA-256 of the key
   authorization. PEM in a buffer the caller frees with OPENSSL_free; its length, or -1. */
static inline int pounce_make_self_signed(EVP_PKEY *key, const char *common_name, const char *alt_names,
                                          const unsigned char *acme_identifier, long seconds, char **pem) {
    int length = -1;
    X509 *cert = X509_new();
    X509_EXTENSION *san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, alt_names);
    ASN1_OBJECT *oid = NULL;
    ASN1_OCTET_STRING *value = NULL;
    X509_EXTENSION *acme = NULL;
    BIO *bio = NULL;
    unsigned char serial[16];
    if (cert == NULL || san == NULL) goto done;
    if (X509_set_version(cert, 2) != 1) goto done;
    if (RAND_bytes(serial, sizeof serial) != 1) goto done;
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (bn == NULL) goto done;
    int serial_ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    if (!serial_ok) goto done;
    if (X509_gmtime_adj(X509_getm_notBefore(cert), 0) == NULL) goto done;
    if (X509_gmtime_adj(X509_getm_notAfter(cert), seconds) == NULL) goto done;
    if (X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_UTF8,
                                   (const unsigned char *)common_name, -1, -1, 0) != 1) goto done;
    if (X509_set_issuer_name(cert, X509_get_subject_name(cert)) != 1) goto done;
    if (X509_add_ext(cert, san, -1) != 1) goto done;
    if (acme_identifier != NULL) {
        unsigned char der[34];
        der[0] = 0x04;
        der[1] = 32;
        memcpy(der + 2, acme_identifier, 32);
        oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
        value = ASN1_OCTET_STRING_new();
        if (oid == NULL || value == NULL || ASN1_OCTET_STRING_set(value, der, sizeof der) != 1) goto done;
        acme = X509_EXTENSION_create_by_OBJ(NULL, oid, 1, value);
        if (acme == NULL || X509_add_ext(cert, acme, -1) != 1) goto done;
    }
    if (X509_set_pubkey(cert, key) != 1) goto done;
    if (X509_sign(cert, key, EVP_sha256()) <= 0) goto done;
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_X509(bio, cert) != 1) goto done;
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0 || data == NULL) goto done;
    *pem = OPENSSL_malloc((size_t)n);
    if (*pem == NULL) goto done;
    memcpy(*pem, data, (size_t)n);
    length = (int)n;
done:
    BIO_free(bio);
    X509_EXTENSION_free(acme);
    ASN1_OCTET_STRING_free(value);
    ASN1_OBJECT_free(oid);
    X509_EXTENSION_free(san);
    X509_free(cert);
    return length;
}

/* The first OCSP responder URL (authorityInfoAccess) of `cert`, NUL-terminated into `buf`:
   its length, or -1 when it names none or it does not fit. */
static inline int pounce_ocsp_url(X509 *cert, char *buf, int size) {
    STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);
    int length = -1;
    if (urls != NULL && sk_OPENSSL_STRING_num(urls) > 0) {
        const char *url = sk_OPENSSL_STRING_value(urls, 0);
        size_t n = strlen(url);
        if ((int)n < size) {
            memcpy(buf, url, n + 1);
            length = (int)n;
        }
    }
    X509_email_free(urls);
    return length;
}

/* A DER OCSP request for `cert` issued by `issuer` (SHA-1 CertID, as responders expect),
   in a buffer freed with OPENSSL_free: its length, or -1. */
static inline int pounce_ocsp_request(X509 *cert, X509 *issuer, unsigned char **der) {
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
    int length = -1;
    if (req != NULL && id != NULL && OCSP_request_add0_id(req, id) != NULL) {
        id = NULL;
        *der = NULL;
        length = i2d_OCSP_REQUEST(req, der);
    }
    OCSP_CERTID_free(id);
    OCSP_REQUEST_free(req);
    return length;
}

/* Checks a DER OCSP response for `cert` issued by `issuer`: signed by the issuer or a
   responder it certified, current (5 minutes of clock skew), and about this certificate.
   Returns V_OCSP_CERTSTATUS_GOOD/REVOKED/UNKNOWN with thisUpdate and nextUpdate (0: none)
   as seconds since the epoch, or -1 for a response that is none of that. */
static inline int pounce_ocsp_check(const unsigned char *der, long length, X509 *cert, X509 *issuer,
                                    long long *this_update, long long *next_update) {
    int result = -1;
    const unsigned char *p = der;
    OCSP_RESPONSE *response = d2i_OCSP_RESPONSE(NULL, &p, length);
    OCSP_BASICRESP *basic = NULL;
    OCSP_CERTID *id = NULL;
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *certs = sk_X509_new_null();
    if (response == NULL || store == NULL || certs == NULL) goto done;
    if (OCSP_response_status(response) != OCSP_RESPONSE_STATUS_SUCCESSFUL) goto done;
    basic = OCSP_response_get1_basic(response);
    if (basic == NULL) goto done;
    if (X509_STORE_add_cert(store, issuer) != 1 || sk_X509_push(certs, issuer) == 0) goto done;
    if (OCSP_basic_verify(basic, certs, store, OCSP_TRUSTOTHER) != 1) goto done;
    id = OCSP_cert_to_id(NULL, cert, issuer);
    int status = -1, reason = 0;
    ASN1_GENERALIZEDTIME *revoked = NULL, *this_upd = NULL, *next_upd = NULL;
    if (id == NULL || OCSP_resp_find_status(basic, id, &status, &reason, &revoked, &this_upd, &next_upd) != 1) goto done;
    if (OCSP_check_validity(this_upd, next_upd, 300, -1) != 1) goto done;
    struct tm tm;
    *this_update = 0;
    *next_update = 0;
    if (this_upd != NULL && ASN1_TIME_to_tm(this_upd, &tm) == 1) *this_update = (long long)timegm(&tm);
    if (next_upd != NULL && ASN1_TIME_to_tm(next_upd, &tm) == 1) *next_update = (long long)timegm(&tm);
    result = status;
done:
    OCSP_CERTID_free(id);
    sk_X509_free(certs);
    X509_STORE_free(store);
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(response);
    return result;
}

#endif

#ifndef POUNCE_CCARES_BRIDGE_H
#define POUNCE_CCARES_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

// A c-ares channel driven by one thread with poll(2) (not select: a proxy's
// descriptors go past FD_SETSIZE), its UDP sockets kept unconnected and used with
// sendto/recvfrom. (Pound's test suite answers DNS through an LD_PRELOAD library
// that rewrites sendto/recvfrom/connect; a connected UDP socket would be sent to
// its TCP port.) Replies are flattened into plain records for Swift.

typedef struct pounce_dns pounce_dns;

enum { POUNCE_DNS_A = 1, POUNCE_DNS_AAAA = 28, POUNCE_DNS_SRV = 33 };

/// How a lookup ended, in Pound's terms.
enum {
    POUNCE_DNS_OK = 0,
    POUNCE_DNS_NOT_FOUND = 1,      // NXDOMAIN or no records of the type
    POUNCE_DNS_TEMPORARY = 2,      // timeout, refused, server failure: keep the last answer
    POUNCE_DNS_FAILURE = 3         // anything else (bad name, out of memory, shut down)
};

typedef struct {
    char address[64];       // A/AAAA: numeric text
    uint16_t priority;      // SRV
    uint16_t weight;
    uint16_t port;
    char target[256];
} pounce_dns_record;

typedef struct {
    int status;
    const char *message;    // c-ares's text for a failure, static
    uint32_t ttl;           // the smallest TTL of the answer's records of the type
    int count;
    const pounce_dns_record *records;
} pounce_dns_answer;

typedef void (*pounce_dns_callback)(void *context, const pounce_dns_answer *answer);

/// A channel asking `servers` ("ip", "ip:port", "[ipv6]:port", comma-separated; NULL
/// = /etc/resolv.conf), each try waiting `timeout_ms`, `tries` tries. NULL on error,
/// with the reason in `error`.
pounce_dns *pounce_dns_create(const char *servers, int timeout_ms, int tries, char *error, size_t error_size);

/// Starts a lookup; `callback` runs from `pounce_dns_wait` (or `pounce_dns_destroy`).
void pounce_dns_query(pounce_dns *dns, const char *name, int type, pounce_dns_callback callback, void *context);

/// Waits up to `max_ms` for the channel's sockets or `wake_fd`, then lets c-ares
/// process what is ready (and its timeouts). Returns 1 when `wake_fd` was readable.
int pounce_dns_wait(pounce_dns *dns, int wake_fd, int max_ms);

/// Ends every pending lookup (callbacks run with POUNCE_DNS_FAILURE) and frees the channel.
void pounce_dns_destroy(pounce_dns *dns);

/// The smallest TTL of the answer records of `type` in a DNS message (0 if none or
/// malformed). Exposed for tests.
uint32_t pounce_dns_min_ttl(const unsigned char *message, int length, int type);

#endif

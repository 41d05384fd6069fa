#include "CCAresBridge.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdio.h>
#include <unistd.h>

// The peer each UDP socket "connects" to, by descriptor: c-ares connects its UDP
// sockets, we only remember where to send.
typedef struct {
    struct sockaddr_storage address;
    socklen_t length;
} udp_peer;

struct pounce_dns {
    ares_channel channel;
    udp_peer *peers;
    int peer_count;
};

static ares_socket_t dns_socket(int domain, int type, int protocol, void *user) {
    (void)user;
    return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
}

static udp_peer *peer_slot(pounce_dns *dns, int fd, int grow) {
    if (fd < 0) return NULL;
    if (fd >= dns->peer_count) {
        if (!grow) return NULL;
        int count = dns->peer_count ? dns->peer_count : 64;
        while (count <= fd) count *= 2;
        udp_peer *peers = realloc(dns->peers, (size_t)count * sizeof *peers);
        if (!peers) return NULL;
        memset(peers + dns->peer_count, 0, (size_t)(count - dns->peer_count) * sizeof *peers);
        dns->peers = peers;
        dns->peer_count = count;
    }
    return &dns->peers[fd];
}

static int dns_close(ares_socket_t fd, void *user) {
    udp_peer *peer = peer_slot(user, fd, 0);
    if (peer) peer->length = 0;
    return close(fd);
}

static int dns_connect(ares_socket_t fd, const struct sockaddr *address, ares_socklen_t length, void *user) {
    int type = 0;
    socklen_t size = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0 && type == SOCK_DGRAM) {
        udp_peer *peer = peer_slot(user, fd, 1);
        if (!peer || length > sizeof peer->address) {
            errno = ENOMEM;
            return -1;
        }
        memcpy(&peer->address, address, length);
        peer->length = length;
        return 0;
    }
    return connect(fd, address, length);
}

static ares_ssize_t dns_recvfrom(ares_socket_t fd, void *buffer, size_t size, int flags,
                                 struct sockaddr *from, ares_socklen_t *from_length, void *user) {
    (void)user;
    struct sockaddr_storage ignored;
    socklen_t ignored_length = sizeof ignored;
    if (!from) {
        // Always ask for the sender: LD_PRELOAD rewriters read it unconditionally.
        from = (struct sockaddr *)&ignored;
        from_length = &ignored_length;
    }
    return recvfrom(fd, buffer, size, flags, from, from_length);
}

static ares_ssize_t dns_sendv(ares_socket_t fd, const struct iovec *parts, int count, void *user) {
    udp_peer *peer = peer_slot(user, fd, 0);
    if (!peer || peer->length == 0) return writev(fd, parts, count);
    // One contiguous datagram through sendto, which the rewriters intercept.
    size_t total = 0;
    for (int i = 0; i < count; i++) total += parts[i].iov_len;
    unsigned char *datagram = malloc(total ? total : 1);
    if (!datagram) {
        errno = ENOMEM;
        return -1;
    }
    size_t offset = 0;
    for (int i = 0; i < count; i++) {
        memcpy(datagram + offset, parts[i].iov_base, parts[i].iov_len);
        offset += parts[i].iov_len;
    }
    ssize_t sent = sendto(fd, datagram, total, MSG_NOSIGNAL, (struct sockaddr *)&peer->address, peer->length);
    free(datagram);
    return sent;
}

static const struct ares_socket_functions socket_functions = {
    dns_socket, dns_close, dns_connect, dns_recvfrom, dns_sendv
};

// c-ares's library set-up is not thread-safe: once, whoever comes first.
static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_status = ARES_SUCCESS;
static void library_init(void) { library_status = ares_library_init(ARES_LIB_INIT_ALL); }

pounce_dns *pounce_dns_create(const char *servers, int timeout_ms, int tries, char *error, size_t error_size) {
    pthread_once(&library_once, library_init);
    if (library_status != ARES_SUCCESS) {
        snprintf(error, error_size, "c-ares: %s", ares_strerror(library_status));
        return NULL;
    }
    pounce_dns *dns = calloc(1, sizeof *dns);
    if (!dns) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    struct ares_options options;
    memset(&options, 0, sizeof options);
    options.timeout = timeout_ms;
    options.tries = tries;
    int rc = ares_init_options(&dns->channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
    if (rc != ARES_SUCCESS) {
        snprintf(error, error_size, "c-ares: %s", ares_strerror(rc));
        free(dns);
        return NULL;
    }
    ares_set_socket_functions(dns->channel, &socket_functions, dns);
    if (servers) {
        rc = ares_set_servers_ports_csv(dns->channel, servers);
        if (rc != ARES_SUCCESS) {
            snprintf(error, error_size, "bad name server list \"%s\": %s", servers, ares_strerror(rc));
            ares_destroy(dns->channel);
            free(dns);
            return NULL;
        }
    }
    return dns;
}

// Reads a big-endian 16-bit value; the caller checked the bounds.
static unsigned get16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

// Skips a (possibly compressed) name starting at `at`; returns the offset after it or -1.
static int skip_name(const unsigned char *m, int length, int at) {
    for (int labels = 0; labels < 128; labels++) {
        if (at >= length) return -1;
        unsigned char c = m[at];
        if (c == 0) return at + 1;
        if ((c & 0xC0) == 0xC0) return at + 2 <= length ? at + 2 : -1;
        if (c & 0xC0) return -1;
        at += 1 + c;
    }
    return -1;
}

uint32_t pounce_dns_min_ttl(const unsigned char *m, int length, int type) {
    if (!m || length < 12) return 0;
    unsigned questions = get16(m + 4), answers = get16(m + 6);
    int at = 12;
    for (unsigned i = 0; i < questions; i++) {
        at = skip_name(m, length, at);
        if (at < 0 || at + 4 > length) return 0;
        at += 4;
    }
    uint32_t ttl = 0;
    int found = 0;
    for (unsigned i = 0; i < answers; i++) {
        at = skip_name(m, length, at);
        if (at < 0 || at + 10 > length) return found ? ttl : 0;
        unsigned rr_type = get16(m + at);
        uint32_t rr_ttl = (uint32_t)m[at + 4] << 24 | (uint32_t)m[at + 5] << 16 | (uint32_t)m[at + 6] << 8 | m[at + 7];
        unsigned rdlength = get16(m + at + 8);
        at += 10;
        if (at + (int)rdlength > length) return found ? ttl : 0;
        at += (int)rdlength;
        if ((int)rr_type != type) continue;
        // RFC 2181 §8: a TTL with the top bit set is read as zero.
        if (rr_ttl & 0x80000000u) rr_ttl = 0;
        if (!found || rr_ttl < ttl) ttl = rr_ttl;
        found = 1;
    }
    return found ? ttl : 0;
}

typedef struct {
    pounce_dns_callback callback;
    void *context;
    int type;
} query_context;

static void deliver(query_context *q, int status, const char *message, uint32_t ttl,
                    const pounce_dns_record *records, int count) {
    pounce_dns_answer answer = { status, message, ttl, count, records };
    q->callback(q->context, &answer);
    free(q);
}

static int status_of(int rc) {
    switch (rc) {
    case ARES_ENOTFOUND: case ARES_ENODATA: case ARES_ENONAME:
        return POUNCE_DNS_NOT_FOUND;
    case ARES_ETIMEOUT: case ARES_ECONNREFUSED: case ARES_ESERVFAIL: case ARES_EREFUSED:
    case ARES_EBADRESP: case ARES_EFORMERR: case ARES_ENOTIMP:
        return POUNCE_DNS_TEMPORARY;
    default:
        return POUNCE_DNS_FAILURE;
    }
}

enum { MAX_RECORDS = 64 };

static void on_reply(void *arg, int rc, int timeouts, unsigned char *reply, int length) {
    (void)timeouts;
    query_context *q = arg;
    if (rc != ARES_SUCCESS) {
        deliver(q, status_of(rc), ares_strerror(rc), 0, NULL, 0);
        return;
    }
    pounce_dns_record records[MAX_RECORDS];
    memset(records, 0, sizeof records);
    int count = 0;
    int parse = ARES_SUCCESS;
    if (q->type == POUNCE_DNS_A) {
        struct ares_addrttl found[MAX_RECORDS];
        int n = MAX_RECORDS;
        parse = ares_parse_a_reply(reply, length, NULL, found, &n);
        for (int i = 0; parse == ARES_SUCCESS && i < n; i++)
            inet_ntop(AF_INET, &found[i].ipaddr, records[count++].address, sizeof records[0].address);
    } else if (q->type == POUNCE_DNS_AAAA) {
        struct ares_addr6ttl found[MAX_RECORDS];
        int n = MAX_RECORDS;
        parse = ares_parse_aaaa_reply(reply, length, NULL, found, &n);
        for (int i = 0; parse == ARES_SUCCESS && i < n; i++)
            inet_ntop(AF_INET6, &found[i].ip6addr, records[count++].address, sizeof records[0].address);
    } else {
        struct ares_srv_reply *head = NULL;
        parse = ares_parse_srv_reply(reply, length, &head);
        for (struct ares_srv_reply *s = head; parse == ARES_SUCCESS && s && count < MAX_RECORDS; s = s->next) {
            pounce_dns_record *r = &records[count++];
            r->priority = s->priority;
            r->weight = s->weight;
            r->port = s->port;
            snprintf(r->target, sizeof r->target, "%s", s->host ? s->host : "");
        }
        if (head) ares_free_data(head);
    }
    if (parse != ARES_SUCCESS) {
        deliver(q, status_of(parse), ares_strerror(parse), 0, NULL, 0);
        return;
    }
    if (count == 0) {
        deliver(q, POUNCE_DNS_NOT_FOUND, "no records", 0, NULL, 0);
        return;
    }
    deliver(q, POUNCE_DNS_OK, NULL, pounce_dns_min_ttl(reply, length, q->type), records, count);
}

void pounce_dns_query(pounce_dns *dns, const char *name, int type, pounce_dns_callback callback, void *context) {
    query_context *q = malloc(sizeof *q);
    if (!q) {
        pounce_dns_answer answer = { POUNCE_DNS_FAILURE, "out of memory", 0, 0, NULL };
        callback(context, &answer);
        return;
    }
    q->callback = callback;
    q->context = context;
    q->type = type;
    ares_query(dns->channel, name, 1 /* IN */, type, on_reply, q);
}

int pounce_dns_wait(pounce_dns *dns, int wake_fd, int max_ms) {
    ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
    int mask = ares_getsock(dns->channel, sockets, ARES_GETSOCK_MAXNUM);
    struct pollfd fds[ARES_GETSOCK_MAXNUM + 1];
    int n = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(mask, i)) events |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(mask, i)) events |= POLLOUT;
        if (!events) continue;
        fds[n].fd = sockets[i];
        fds[n].events = events;
        fds[n].revents = 0;
        n++;
    }
    fds[n].fd = wake_fd;
    fds[n].events = POLLIN;
    fds[n].revents = 0;
    struct timeval limit = { max_ms / 1000, (max_ms % 1000) * 1000 }, next;
    struct timeval *wait = ares_timeout(dns->channel, &limit, &next);
    int timeout = (int)(wait->tv_sec * 1000 + wait->tv_usec / 1000);
    int ready = poll(fds, (nfds_t)n + 1, timeout);
    int woken = 0;
    if (ready > 0 && (fds[n].revents & POLLIN)) {
        char drain[64];
        while (read(wake_fd, drain, sizeof drain) > 0) {}
        woken = 1;
    }
    for (int i = 0; i < n; i++) {
        ares_socket_t readable = (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD;
        ares_socket_t writable = (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD;
        if (readable != ARES_SOCKET_BAD || writable != ARES_SOCKET_BAD)
            ares_process_fd(dns->channel, readable, writable);
    }
    // Timeouts and retries are handled by a call with no descriptor.
    ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    return woken;
}

void pounce_dns_destroy(pounce_dns *dns) {
    if (!dns) return;
    ares_destroy(dns->channel);
    free(dns->peers);
    free(dns);
}

#ifndef CVRRPLINUX_H
#define CVRRPLINUX_H

// Helpers for what Swift cannot reach in glibc's headers: the NLMSG_/RTA_ macros, struct ifreq's
// unions, ip_mreqn and sockaddr_ll. Everything is static inline; errors come back as -errno.

#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>

/// The interface's hardware address (6 bytes) via SIOCGIFHWADDR.
static inline int cvrrp_interface_hwaddr(int fd, const char *name, uint8_t *mac) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) return -errno;
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    return 0;
}

/// IP_ADD_MEMBERSHIP with an ip_mreqn naming the interface by index; `group` in network order.
static inline int cvrrp_join_multicast(int fd, int ifindex, uint32_t group) {
    struct ip_mreqn mreq;
    memset(&mreq, 0, sizeof(mreq));
    mreq.imr_multiaddr.s_addr = group;
    mreq.imr_ifindex = ifindex;
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0) return -errno;
    return 0;
}

/// IP_MULTICAST_IF by interface index.
static inline int cvrrp_set_multicast_interface(int fd, int ifindex) {
    struct ip_mreqn mreq;
    memset(&mreq, 0, sizeof(mreq));
    mreq.imr_ifindex = ifindex;
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq)) < 0) return -errno;
    return 0;
}

static inline int cvrrp_set_int_option(int fd, int level, int name, int value) {
    if (setsockopt(fd, level, name, &value, sizeof(value)) < 0) return -errno;
    return 0;
}

static inline int cvrrp_bind_to_device(int fd, const char *name) {
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name)) < 0) return -errno;
    return 0;
}

/// Sends a raw IPv4 packet (IP_HDRINCL socket) to `destination` (network order).
static inline long cvrrp_send_ipv4(int fd, const void *packet, size_t length, uint32_t destination) {
    struct sockaddr_in to;
    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = destination;
    long sent = sendto(fd, packet, length, 0, (const struct sockaddr *)&to, sizeof(to));
    return sent < 0 ? -errno : sent;
}

/// Binds an AF_PACKET socket to one interface and one ethertype (host order).
static inline int cvrrp_packet_bind(int fd, int ifindex, uint16_t ethertype) {
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ethertype);
    sll.sll_ifindex = ifindex;
    if (bind(fd, (const struct sockaddr *)&sll, sizeof(sll)) < 0) return -errno;
    return 0;
}

/// Sends a whole Ethernet frame (header included) out of `ifindex`.
static inline long cvrrp_packet_send(int fd, int ifindex, const uint8_t *destination, const void *frame, size_t length) {
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = ifindex;
    sll.sll_halen = 6;
    memcpy(sll.sll_addr, destination, 6);
    long sent = sendto(fd, frame, length, 0, (const struct sockaddr *)&sll, sizeof(sll));
    return sent < 0 ? -errno : sent;
}

/// Builds an RTM_NEWADDR (add != 0, with NLM_F_CREATE|NLM_F_EXCL) or RTM_DELADDR request for an
/// IPv4 address (network order) with its prefix on `ifindex`. Returns the length, or -ENOBUFS.
static inline int cvrrp_netlink_address_request(void *buffer, size_t capacity, int add, uint32_t sequence,
                                                int ifindex, uint32_t address, uint8_t prefix) {
    size_t needed = NLMSG_SPACE(sizeof(struct ifaddrmsg)) + 2 * RTA_SPACE(4);
    if (capacity < needed) return -ENOBUFS;
    memset(buffer, 0, needed);
    struct nlmsghdr *header = (struct nlmsghdr *)buffer;
    header->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
    header->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? (NLM_F_CREATE | NLM_F_EXCL) : 0);
    header->nlmsg_seq = sequence;
    struct ifaddrmsg *ifa = (struct ifaddrmsg *)NLMSG_DATA(header);
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = prefix;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (unsigned int)ifindex;
    unsigned short types[2] = { IFA_LOCAL, IFA_ADDRESS };
    for (int i = 0; i < 2; i++) {
        struct rtattr *rta = (struct rtattr *)((char *)header + NLMSG_ALIGN(header->nlmsg_len));
        rta->rta_type = types[i];
        rta->rta_len = RTA_LENGTH(4);
        memcpy(RTA_DATA(rta), &address, 4);
        header->nlmsg_len = NLMSG_ALIGN(header->nlmsg_len) + RTA_SPACE(4);
    }
    return (int)header->nlmsg_len;
}

/// Appends one attribute (type, payload) at the message's aligned end; 0, or -ENOBUFS.
static inline int cvrrp_netlink_put(struct nlmsghdr *header, size_t capacity, unsigned short type,
                                    const void *data, size_t length) {
    size_t offset = NLMSG_ALIGN(header->nlmsg_len);
    if (offset + RTA_SPACE(length) > capacity) return -ENOBUFS;
    struct rtattr *rta = (struct rtattr *)((char *)header + offset);
    rta->rta_type = type;
    rta->rta_len = (unsigned short)RTA_LENGTH(length);
    if (length) memcpy(RTA_DATA(rta), data, length);
    header->nlmsg_len = (uint32_t)(offset + RTA_SPACE(length));
    return 0;
}

/// Opens a nested attribute; close it with cvrrp_netlink_nest_end. NULL when it does not fit.
static inline struct rtattr *cvrrp_netlink_nest_begin(struct nlmsghdr *header, size_t capacity, unsigned short type) {
    struct rtattr *nest = (struct rtattr *)((char *)header + NLMSG_ALIGN(header->nlmsg_len));
    if (cvrrp_netlink_put(header, capacity, type, NULL, 0) < 0) return NULL;
    return nest;
}

static inline void cvrrp_netlink_nest_end(struct nlmsghdr *header, struct rtattr *nest) {
    nest->rta_len = (unsigned short)((char *)header + header->nlmsg_len - (char *)nest);
}

/// An RTM_NEWLINK/RTM_DELLINK header with its ifinfomsg; the caller appends attributes.
static inline struct nlmsghdr *cvrrp_netlink_link_header(void *buffer, size_t capacity, uint16_t type, uint16_t flags,
                                                         uint32_t sequence, int ifindex) {
    if (capacity < NLMSG_SPACE(sizeof(struct ifinfomsg))) return NULL;
    memset(buffer, 0, NLMSG_SPACE(sizeof(struct ifinfomsg)));
    struct nlmsghdr *header = (struct nlmsghdr *)buffer;
    header->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    header->nlmsg_type = type;
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    header->nlmsg_seq = sequence;
    struct ifinfomsg *ifi = (struct ifinfomsg *)NLMSG_DATA(header);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    return header;
}

/// `ip link add link <parent> name <name> address <mac> type macvlan mode private` (left down).
/// Returns the length, or -ENOBUFS / -EINVAL.
static inline int cvrrp_netlink_macvlan_request(void *buffer, size_t capacity, uint32_t sequence, const char *name,
                                                int parent, const uint8_t *mac) {
    size_t nameLength = strlen(name);
    if (nameLength == 0 || nameLength >= IFNAMSIZ) return -EINVAL;
    struct nlmsghdr *header = cvrrp_netlink_link_header(buffer, capacity, RTM_NEWLINK,
                                                        NLM_F_CREATE | NLM_F_EXCL, sequence, 0);
    if (!header) return -ENOBUFS;
    uint32_t link = (uint32_t)parent;
    uint32_t mode = MACVLAN_MODE_PRIVATE;
    static const char kind[] = "macvlan";
    if (cvrrp_netlink_put(header, capacity, IFLA_IFNAME, name, nameLength + 1) < 0) return -ENOBUFS;
    if (cvrrp_netlink_put(header, capacity, IFLA_LINK, &link, 4) < 0) return -ENOBUFS;
    if (cvrrp_netlink_put(header, capacity, IFLA_ADDRESS, mac, 6) < 0) return -ENOBUFS;
    struct rtattr *info = cvrrp_netlink_nest_begin(header, capacity, IFLA_LINKINFO);
    if (!info) return -ENOBUFS;
    if (cvrrp_netlink_put(header, capacity, IFLA_INFO_KIND, kind, sizeof(kind)) < 0) return -ENOBUFS;
    struct rtattr *data = cvrrp_netlink_nest_begin(header, capacity, IFLA_INFO_DATA);
    if (!data) return -ENOBUFS;
    if (cvrrp_netlink_put(header, capacity, IFLA_MACVLAN_MODE, &mode, 4) < 0) return -ENOBUFS;
    cvrrp_netlink_nest_end(header, data);
    cvrrp_netlink_nest_end(header, info);
    return (int)header->nlmsg_len;
}

/// `ip link set <ifindex> up` (up != 0) or down. Returns the length, or -ENOBUFS.
static inline int cvrrp_netlink_link_up_request(void *buffer, size_t capacity, uint32_t sequence, int ifindex, int up) {
    struct nlmsghdr *header = cvrrp_netlink_link_header(buffer, capacity, RTM_NEWLINK, 0, sequence, ifindex);
    if (!header) return -ENOBUFS;
    struct ifinfomsg *ifi = (struct ifinfomsg *)NLMSG_DATA(header);
    ifi->ifi_flags = up ? IFF_UP : 0;
    ifi->ifi_change = IFF_UP;
    return (int)header->nlmsg_len;
}

/// `ip link del <ifindex>`. Returns the length, or -ENOBUFS.
static inline int cvrrp_netlink_link_delete_request(void *buffer, size_t capacity, uint32_t sequence, int ifindex) {
    struct nlmsghdr *header = cvrrp_netlink_link_header(buffer, capacity, RTM_DELLINK, 0, sequence, ifindex);
    if (!header) return -ENOBUFS;
    return (int)header->nlmsg_len;
}

/// Looks for the kernel's answer to `sequence` in a received netlink buffer: 0 for an ACK,
/// a positive errno for an error, -1 when the buffer holds no answer to it.
static inline int cvrrp_netlink_ack(const void *buffer, size_t length, uint32_t sequence) {
    int remaining = (int)length;
    for (const struct nlmsghdr *h = (const struct nlmsghdr *)buffer; NLMSG_OK(h, remaining);
         h = NLMSG_NEXT(h, remaining)) {
        if (h->nlmsg_seq != sequence) continue;
        if (h->nlmsg_type == NLMSG_ERROR) {
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return EIO;
            const struct nlmsgerr *err = (const struct nlmsgerr *)NLMSG_DATA(h);
            return -err->error;
        }
        if (h->nlmsg_type == NLMSG_DONE) return 0;
    }
    return -1;
}

#endif

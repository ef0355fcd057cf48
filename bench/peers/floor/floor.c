// The floor of the machine for the bench: a bare epoll server that answers the one request LoadGen sends,
// add(1,2) in the strict binary protocol (framed or not), with one recv and one send per call. Not a Thrift
// server: no decoding, no handler; the reply is a fixed template with the request's sequence id copied in.
// Whatever a Thrift server does per call beyond this is its cost over the floor.
//   floor PORT [PROCESSES]   PROCESSES (default 2) share the listening socket, one epoll loop each.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FD 65536
#define REQ_FRAMED 34   // 4 frame length + 30 message bytes
#define SEQ_OFFSET 11   // version 4, name length 4, "add" 3 (+ 4 when framed)

static const unsigned char request[REQ_FRAMED] = {0, 0, 0, 30, 0x80, 1, 0, 1, 0, 0, 0, 3, 'a', 'd', 'd', 0, 0, 0, 0,
    8, 0, 1, 0, 0, 0, 1, 8, 0, 2, 0, 0, 0, 2, 0};
static const unsigned char reply[27] = {0, 0, 0, 23, 0x80, 1, 0, 2, 0, 0, 0, 3, 'a', 'd', 'd', 0, 0, 0, 0,
    8, 0, 0, 0, 0, 0, 3, 0};
static unsigned char pending[MAX_FD][REQ_FRAMED];   // a request split over two recvs (rare): its first part
static unsigned char pending_len[MAX_FD];

// Answers the whole requests in buf[0..len) with one send; keeps a partial tail. False: not our request.
static int answer(int fd, unsigned char *buf, size_t len) {
    unsigned char out[65536 / 30 * 27 + 64];
    size_t at = 0, used = 0;
    while (at < len) {
        int framed = buf[at] != 0x80;   // a frame length starts with 0; a strict binary message with 0x80
        size_t n = framed ? REQ_FRAMED : REQ_FRAMED - 4;
        const unsigned char *want = framed ? request : request + 4;
        const unsigned char *reply_of = framed ? reply : reply + 4;
        size_t seq = framed ? SEQ_OFFSET + 4 : SEQ_OFFSET;
        if (len - at < n) {
            if (memcmp(buf + at, want, len - at < seq ? len - at : seq) != 0) return 0;
            memcpy(pending[fd], buf + at, len - at);
            pending_len[fd] = (unsigned char)(len - at);
            break;
        }
        if (memcmp(buf + at, want, seq) != 0 || memcmp(buf + at + seq + 4, want + seq + 4, n - seq - 4) != 0) return 0;
        memcpy(out + used, reply_of, n - 7);
        memcpy(out + used + seq, buf + at + seq, 4);
        used += n - 7;
        at += n;
    }
    return used == 0 || send(fd, out, used, MSG_NOSIGNAL) == (ssize_t)used;
}

static void serve(int listener) {
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listener}, events[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    unsigned char buf[65536 + REQ_FRAMED];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int c, one = 1;
                while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAX_FD) { close(c); continue; }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    pending_len[c] = 0;
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            size_t kept = pending_len[fd];
            memcpy(buf, pending[fd], kept);
            pending_len[fd] = 0;
            ssize_t r = recv(fd, buf + kept, sizeof buf - kept, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) { pending_len[fd] = (unsigned char)kept; continue; }
            if (r <= 0 || !answer(fd, buf, kept + (size_t)r)) close(fd);   // close also leaves the epoll set
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: floor PORT [PROCESSES]\n"); return 2; }
    int processes = argc > 2 ? atoi(argv[2]) : 2, one = 1;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1024) != 0) {
        perror("floor: bind/listen");
        return 1;
    }
    // The first process serves too; the others die with it (the bench stops servers by pid).
    for (int i = 1; i < processes; i++)
        if (fork() == 0) { prctl(PR_SET_PDEATHSIG, SIGKILL); break; }
    serve(listener);
}

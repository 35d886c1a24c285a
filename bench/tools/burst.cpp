// burst: opens COUNT connections to HOST:PORT at once, sends one GET PATH on
// each and waits for every answer, then prints one JSON line: how long the
// batch took, how many succeeded, and why the others failed.
//
// Workload 4 of bench/run (10,000 requests each delayed 1 s): wrk cannot do it
// (it reuses a fixed set of connections), and a Python client spends too long
// opening 10,000 sockets to time a 1.5 s batch. This is one thread on plain
// epoll: no library, so it compiles in about a second, and it reports how long
// its own connect-and-send phase took so a reader can see it did not distort the
// batch.
//
// usage: burst HOST PORT PATH COUNT TIMEOUT_S [EXPECTED_STATUS]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

enum class state { sending, receiving, done };

struct connection {
    int fd = -1;
    state st = state::sending;
    std::size_t sent = 0;
    std::string in;
    std::size_t head_end = 0;       // offset past "\r\n\r\n", 0 until the head is complete
    long long content_length = -1;  // -1: none announced, the body ends at EOF
    int status = 0;
    double sent_ms = -1;  // when the whole request was written
    double done_ms = -1;
    std::string failure;  // empty on success
};

double ms_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

// Raising the soft limit to the hard one: 10,000 sockets exceed the usual 1,024.
void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// Parses the head once it is complete: the status code and Content-Length.
void parse_head(connection& c) {
    auto end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    c.head_end = end + 4;
    if (c.in.size() >= 12 && c.in.compare(0, 5, "HTTP/") == 0) c.status = std::atoi(c.in.c_str() + 9);
    std::string head = c.in.substr(0, end);
    for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto pos = head.find("\r\ncontent-length:");
    if (pos != std::string::npos) c.content_length = std::atoll(head.c_str() + pos + 17);
}

bool body_complete(const connection& c) {
    return c.head_end != 0 && c.content_length >= 0 &&
           c.in.size() - c.head_end >= static_cast<std::size_t>(c.content_length);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr, "usage: burst HOST PORT PATH COUNT TIMEOUT_S [EXPECTED_STATUS]\n");
        return 2;
    }
    const char* host = argv[1];
    const int port = std::atoi(argv[2]);
    const std::string path = argv[3];
    const int count = std::atoi(argv[4]);
    const double timeout_ms = std::atof(argv[5]) * 1000.0;
    const int expected = argc > 6 ? std::atoi(argv[6]) : 200;
    raise_fd_limit();

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        std::fprintf(stderr, "burst: HOST must be an IPv4 address\n");
        return 2;
    }
    const std::string request =
        "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) + "\r\nConnection: close\r\n\r\n";

    int ep = epoll_create1(0);
    std::vector<connection> conns(static_cast<std::size_t>(count));
    std::vector<epoll_event> events(1024);
    int open = 0;
    auto t0 = clock_type::now();

    auto finish = [&](std::size_t i, const char* why) {
        auto& c = conns[i];
        c.done_ms = ms_since(t0);
        c.st = state::done;
        if (why) c.failure = why;
        if (c.fd >= 0) {
            epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
            close(c.fd);
            c.fd = -1;
            --open;
        }
    };
    // Writes what is left of the request; true once all of it is out.
    auto try_send = [&](std::size_t i) {
        auto& c = conns[i];
        while (c.sent < request.size()) {
            ssize_t n = send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
            if (n > 0) {
                c.sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == ENOTCONN || errno == EINPROGRESS)) return false;
            finish(i, errno == ECONNREFUSED ? "connect" : "reset");
            return false;
        }
        c.sent_ms = ms_since(t0);
        c.st = state::receiving;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = i;
        epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        return true;
    };
    auto on_readable = [&](std::size_t i) {
        auto& c = conns[i];
        char buf[16384];
        for (;;) {
            ssize_t n = recv(c.fd, buf, sizeof buf, 0);
            if (n > 0) {
                c.in.append(buf, static_cast<std::size_t>(n));
                if (c.head_end == 0) parse_head(c);
                if (body_complete(c)) {
                    finish(i, c.status == expected ? nullptr : "status");
                    return;
                }
                continue;
            }
            if (n == 0) {
                if (c.head_end == 0) parse_head(c);
                // Without Content-Length the body ends at EOF (RFC 9112 §6.3, item 8).
                bool whole = c.head_end != 0 && c.content_length < 0;
                finish(i, whole ? (c.status == expected ? nullptr : "status") : "eof");
                return;
            }
            if (errno == EAGAIN) return;
            finish(i, "reset");
            return;
        }
    };
    auto handle = [&](const epoll_event& ev) {
        auto i = static_cast<std::size_t>(ev.data.u64);
        auto& c = conns[i];
        if (c.st == state::done) return;
        if (c.st == state::sending) {
            if (ev.events & (EPOLLERR | EPOLLHUP)) {
                finish(i, "connect");
                return;
            }
            try_send(i);
            return;
        }
        on_readable(i);
    };
    auto poll = [&](int wait_ms) {
        int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), wait_ms);
        for (int k = 0; k < n; ++k) handle(events[static_cast<std::size_t>(k)]);
    };

    // Opening every connection first, sending on each as soon as it is connected
    // (on loopback the handshake usually completes inside connect()).
    for (std::size_t i = 0; i < conns.size(); ++i) {
        auto& c = conns[i];
        c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) {
            finish(i, "socket");
            continue;
        }
        ++open;
        int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.u64 = i;
        epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
        if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
            finish(i, "connect");
            continue;
        }
        try_send(i);
        if (i % 256 == 255) poll(0);
    }
    const double connect_phase_ms = ms_since(t0);

    while (open > 0) {
        double left = timeout_ms - ms_since(t0);
        if (left <= 0) break;
        poll(static_cast<int>(std::min(left, 100.0)) + 1);
    }
    for (std::size_t i = 0; i < conns.size(); ++i)
        if (conns[i].st != state::done) finish(i, "timeout");
    const double batch_ms = ms_since(t0);

    std::map<std::string, int> failures;
    std::map<int, int> statuses;
    std::vector<double> ok_done, latency;
    double last_sent = 0, last_done = 0;
    for (const auto& c : conns) {
        if (c.status) ++statuses[c.status];
        last_sent = std::max(last_sent, c.sent_ms);
        last_done = std::max(last_done, c.done_ms);
        if (c.failure.empty()) {
            ok_done.push_back(c.done_ms);
            latency.push_back(c.done_ms - c.sent_ms);
        } else {
            ++failures[c.failure];
        }
    }
    std::sort(ok_done.begin(), ok_done.end());
    std::sort(latency.begin(), latency.end());
    auto pct = [](const std::vector<double>& v, double p) {
        return v.empty() ? -1.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * v.size()))];
    };

    std::printf("{\"count\": %d, \"ok\": %zu, \"failed\": %zu, \"failures\": {", count, ok_done.size(),
                conns.size() - ok_done.size());
    bool first = true;
    for (auto& [k, v] : failures) std::printf("%s\"%s\": %d", std::exchange(first, false) ? "" : ", ", k.c_str(), v);
    std::printf("}, \"statuses\": {");
    first = true;
    for (auto& [k, v] : statuses) std::printf("%s\"%d\": %d", std::exchange(first, false) ? "" : ", ", k, v);
    std::printf(
        "}, \"connect_phase_ms\": %.1f, \"last_sent_ms\": %.1f, \"first_ok_ms\": %.1f, \"median_ok_ms\": %.1f, "
        "\"last_ok_ms\": %.1f, \"latency_p50_ms\": %.1f, \"latency_p99_ms\": %.1f, \"latency_p999_ms\": %.1f, "
        "\"latency_max_ms\": %.1f, \"last_done_ms\": %.1f, \"batch_ms\": %.1f}\n",
        connect_phase_ms, last_sent, ok_done.empty() ? -1.0 : ok_done.front(), pct(ok_done, 50),
        ok_done.empty() ? -1.0 : ok_done.back(), pct(latency, 50), pct(latency, 99), pct(latency, 99.9),
        latency.empty() ? -1.0 : latency.back(), last_done, batch_ms);
    close(ep);
    return 0;
}

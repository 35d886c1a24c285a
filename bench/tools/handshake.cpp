// handshake: TLS connections to HOST:PORT, one after another on each of CONNECTIONS
// slots for SECONDS, one GET PATH on each (Connection: close), and one JSON line at
// the end: how many connections completed (handshake, the expected answer, the
// server's close), their rate, what they negotiated, and why the others failed.
//
// Workloads tls-handshake and tls-resumed of bench/run. wrk cannot measure either:
// on a reconnect it keeps the SSL object (SSL_shutdown then SSL_clear), so every
// connection after a slot's first resumes the previous one's session; there is no
// option to turn that off. Here every connection gets a new SSL object:
//   full    no session: a full handshake each time (ECDHE and the server's signature);
//   resume  the session (ticket) of one connection made before the clock starts, the
//           same for every connection: each is a resumption (PSK with ECDHE in TLS 1.3).
// SSL_session_reused() is checked on every connection and any that did not do what
// the mode asks is counted as a failure ("resumed" in full mode, "not_resumed" in
// resume mode), so a server that quietly falls back to full handshakes shows.
//
// One thread on epoll with non-blocking OpenSSL, like burst.cpp: the client, not the
// server, would be the first to run out of CPU (ECDSA verification costs it more than
// signing costs the server), so it reports its own CPU time beside the rate. The
// certificate chain is not verified (SSL_VERIFY_NONE, as wrk does): the handshake
// signature still is, as TLS 1.3 requires. After the answer the client sends its
// close_notify and waits for the server to close, so the TIME_WAIT is on the server
// side and a connection counts once the server has let it go.
//
// usage: handshake HOST PORT PATH CONNECTIONS SECONDS full|resume [EXPECTED_STATUS [TLS_VERSION [SNI]]]
//        TLS_VERSION: 1.3 (the default: the highest both sides speak) or 1.2; SNI: localhost
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

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

enum class state { idle, connecting, handshaking, writing, reading, closing };

struct slot {
    int fd = -1;
    SSL* ssl = nullptr;
    state st = state::idle;
    uint32_t interest = 0;  // the epoll events registered for fd
    std::string in;
    std::size_t head_end = 0;       // offset past "\r\n\r\n", 0 until the head is complete
    long long content_length = -1;  // -1: none announced, the body ends at close
    int status = 0;
    double started_ms = 0;
    double answered_ms = 0;
};

double ms_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void parse_head(slot& s) {
    auto end = s.in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    s.head_end = end + 4;
    if (s.in.size() >= 12 && s.in.compare(0, 5, "HTTP/") == 0) s.status = std::atoi(s.in.c_str() + 9);
    std::string head = s.in.substr(0, end);
    for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto pos = head.find("\r\ncontent-length:");
    if (pos != std::string::npos) s.content_length = std::atoll(head.c_str() + pos + 17);
}

bool body_complete(const slot& s) {
    return s.head_end != 0 && s.content_length >= 0 &&
           s.in.size() - s.head_end >= static_cast<std::size_t>(s.content_length);
}

std::string json_escape(const std::string& text) {
    std::string out;
    for (char ch : text) {
        if (ch == '"' || ch == '\\') out += '\\';
        if (static_cast<unsigned char>(ch) >= 0x20) out += ch;
    }
    return out;
}

void print_counts(const char* name, const std::map<std::string, long>& counts) {
    std::printf(", \"%s\": {", name);
    bool first = true;
    for (auto& [k, v] : counts)
        std::printf("%s\"%s\": %ld", std::exchange(first, false) ? "" : ", ", json_escape(k).c_str(), v);
    std::printf("}");
}

// The server's certificate as the report shows it: key type and size, the issuer's
// signature algorithm, and the SHA-256 fingerprint (the same for two servers given the
// same file).
std::string describe_leaf(SSL* ssl) {
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (!cert) return "{}";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    X509_digest(cert, EVP_sha256(), md, &md_len);
    std::string fingerprint;
    char hex[4];
    for (unsigned int i = 0; i < md_len; ++i) {
        std::snprintf(hex, sizeof hex, i ? ":%02X" : "%02X", md[i]);
        fingerprint += hex;
    }
    std::string key = "?";
    if (EVP_PKEY* pkey = X509_get0_pubkey(cert)) {
        char group[64] = "";
        std::size_t group_len = 0;
        key = std::string{EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "?"} + " " +
              std::to_string(EVP_PKEY_get_bits(pkey)) + " bits";
        if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &group_len) == 1) key += std::string{" "} + group;
    }
    const char* signed_with = OBJ_nid2ln(X509_get_signature_nid(cert));
    X509_free(cert);
    return "{\"key\": \"" + json_escape(key) + "\", \"signed_with\": \"" +
           json_escape(signed_with ? signed_with : "?") + "\", \"sha256\": \"" + fingerprint + "\"}";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr,
                     "usage: handshake HOST PORT PATH CONNECTIONS SECONDS full|resume [EXPECTED_STATUS [TLS_VERSION "
                     "[SNI]]]\n");
        return 2;
    }
    const char* host = argv[1];
    const int port = std::atoi(argv[2]);
    const std::string path = argv[3];
    const int connections = std::atoi(argv[4]);
    const double seconds = std::atof(argv[5]);
    const std::string mode = argv[6];
    const int expected = argc > 7 ? std::atoi(argv[7]) : 200;
    const std::string version = argc > 8 ? argv[8] : "1.3";
    const std::string sni = argc > 9 ? argv[9] : "localhost";
    if ((mode != "full" && mode != "resume") || connections < 1 || seconds <= 0 ||
        (version != "1.3" && version != "1.2")) {
        std::fprintf(stderr, "handshake: MODE is full or resume, TLS_VERSION 1.3 or 1.2\n");
        return 2;
    }
    const bool resume = mode == "resume";
    const double timeout_ms = 2000;  // per connection, as bench/run's wrk --timeout
    raise_fd_limit();

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        std::fprintf(stderr, "handshake: HOST must be an IPv4 address\n");
        return 2;
    }
    const std::string request =
        "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) + "\r\nConnection: close\r\n\r\n";

    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, version == "1.2" ? TLS1_2_VERSION : TLS1_3_VERSION);
    // Sessions are kept by hand (SSL_get1_session), not in the context's cache.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    static constexpr unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn);

    int ep = epoll_create1(0);
    std::vector<slot> slots(static_cast<std::size_t>(connections));
    std::vector<epoll_event> events(1024);
    SSL_SESSION* session = nullptr;  // resume: every connection resumes this one
    bool priming = resume;           // the one connection that gets the session, before the clock starts
    bool running = true;
    auto t0 = clock_type::now();

    long completed = 0, full = 0, resumed = 0;
    std::map<std::string, long> failures, protocols, ciphers, groups, alpns, statuses;
    std::vector<double> answer_ms;  // connect to the whole answer, per completed connection
    std::string leaf;
    std::string first_error;

    auto set_interest = [&](slot& s, uint32_t want) {
        if (s.interest == want) return;
        epoll_event ev{};
        ev.events = want;
        ev.data.ptr = &s;
        epoll_ctl(ep, EPOLL_CTL_MOD, s.fd, &ev);
        s.interest = want;
    };
    auto release = [&](slot& s) {
        if (s.ssl) SSL_free(s.ssl);
        s.ssl = nullptr;
        if (s.fd >= 0) {
            epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
            close(s.fd);
        }
        s.fd = -1;
        s.st = state::idle;
    };
    auto fail = [&](slot& s, const char* why) {
        if (running) ++failures[why];
        if (first_error.empty()) {
            unsigned long code = ERR_peek_last_error();
            char text[256] = "";
            if (code) ERR_error_string_n(code, text, sizeof text);
            first_error = std::string{why} + (code ? std::string{": "} + text : "");
        }
        ERR_clear_error();
        release(s);
    };
    auto start = [&](slot& s) {
        s.in.clear();
        s.head_end = 0;
        s.content_length = -1;
        s.status = 0;
        s.started_ms = ms_since(t0);
        s.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s.fd < 0) return fail(s, "socket");
        int one = 1;
        setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        s.ssl = SSL_new(ctx);
        SSL_set_fd(s.ssl, s.fd);
        SSL_set_tlsext_host_name(s.ssl, sni.c_str());
        if (session) SSL_set_session(s.ssl, session);
        epoll_event ev{};
        ev.events = s.interest = EPOLLOUT;
        ev.data.ptr = &s;
        epoll_ctl(ep, EPOLL_CTL_ADD, s.fd, &ev);
        s.st = state::connecting;
        if (connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS)
            fail(s, "connect");
    };
    // Waits for what OpenSSL asks for; false when the error is not a wait.
    auto wait_for = [&](slot& s, int result) {
        switch (SSL_get_error(s.ssl, result)) {
            case SSL_ERROR_WANT_READ: set_interest(s, EPOLLIN); return true;
            case SSL_ERROR_WANT_WRITE: set_interest(s, EPOLLOUT); return true;
            default: return false;
        }
    };
    auto answered = [&](slot& s) {
        s.answered_ms = ms_since(t0);
        if (s.status != expected) {
            if (running) ++statuses[std::to_string(s.status)];
            return fail(s, "status");
        }
        if (priming) {
            session = SSL_get1_session(s.ssl);  // after the answer: a TLS 1.3 ticket came before it
            if (!session || !SSL_SESSION_is_resumable(session)) {
                std::fprintf(stderr, "handshake: the server gave no resumable session (no ticket, no ID)\n");
                std::exit(1);
            }
        }
        // Our close_notify, then the server's close.
        SSL_shutdown(s.ssl);
        s.st = state::closing;
        set_interest(s, EPOLLIN);
    };
    auto closed = [&](slot& s) {
        if (priming) {
            priming = false;
            release(s);
            return;
        }
        if (running) {
            ++completed;
            ++statuses[std::to_string(s.status)];
            answer_ms.push_back(s.answered_ms - s.started_ms);
        }
        release(s);
    };

    auto drive = [&](slot& s) {
        for (;;) {
            switch (s.st) {
                case state::idle: return;
                case state::connecting: {
                    int err = 0;
                    socklen_t len = sizeof err;
                    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                    if (err) return fail(s, "connect");
                    s.st = state::handshaking;
                    continue;
                }
                case state::handshaking: {
                    int r = SSL_connect(s.ssl);
                    if (r != 1) {
                        if (!wait_for(s, r)) fail(s, "handshake");
                        return;
                    }
                    const bool reused = SSL_session_reused(s.ssl) == 1;
                    if (!priming && running) {
                        ++(reused ? resumed : full);
                        ++protocols[SSL_get_version(s.ssl)];
                        ++ciphers[SSL_CIPHER_get_name(SSL_get_current_cipher(s.ssl))];
                        const char* group = OBJ_nid2sn(SSL_get_negotiated_group(s.ssl) & ~TLSEXT_nid_unknown);
                        ++groups[group ? group : "?"];
                        const unsigned char* chosen = nullptr;
                        unsigned int chosen_len = 0;
                        SSL_get0_alpn_selected(s.ssl, &chosen, &chosen_len);
                        ++alpns[chosen_len ? std::string(reinterpret_cast<const char*>(chosen), chosen_len) : "none"];
                    }
                    if (leaf.empty() && !reused) leaf = describe_leaf(s.ssl);
                    if (!priming && reused != resume) return fail(s, resume ? "not_resumed" : "resumed");
                    s.st = state::writing;
                    continue;
                }
                case state::writing: {
                    int r = SSL_write(s.ssl, request.data(), static_cast<int>(request.size()));
                    if (r <= 0) {
                        if (!wait_for(s, r)) fail(s, "write");
                        return;
                    }
                    s.st = state::reading;
                    set_interest(s, EPOLLIN);
                    continue;
                }
                case state::reading: {
                    char buf[16384];
                    int r = SSL_read(s.ssl, buf, sizeof buf);
                    if (r > 0) {
                        s.in.append(buf, static_cast<std::size_t>(r));
                        if (s.head_end == 0) parse_head(s);
                        if (body_complete(s)) answered(s);
                        continue;
                    }
                    int err = SSL_get_error(s.ssl, r);
                    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                        wait_for(s, r);
                        return;
                    }
                    if (s.head_end == 0) parse_head(s);
                    // Without Content-Length the body ends at the close (RFC 9112 §6.3, item 8).
                    if ((err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL) && s.head_end != 0 &&
                        s.content_length < 0) {
                        answered(s);
                        continue;
                    }
                    return fail(s, err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL ? "eof" : "read");
                }
                case state::closing: {
                    // The server's close_notify (and any ticket still on the way) is not read
                    // through TLS: only the end of the stream matters now.
                    char buf[4096];
                    ssize_t n = recv(s.fd, buf, sizeof buf, 0);
                    if (n > 0) continue;
                    if (n < 0 && errno == EAGAIN) return;
                    // 0: the server closed; an error: it reset after its close (our
                    // close_notify reached a closed socket), which ends the connection as well.
                    return closed(s);
                }
            }
        }
    };

    // The priming connection (resume mode), then the clock.
    if (priming) {
        start(slots[0]);
        const auto deadline = clock_type::now() + std::chrono::seconds(5);
        while (priming && slots[0].st != state::idle && clock_type::now() < deadline) {
            int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
            for (int k = 0; k < n; ++k) drive(*static_cast<slot*>(events[static_cast<std::size_t>(k)].data.ptr));
        }
        if (!session || priming) {
            std::fprintf(stderr, "handshake: the first connection failed (%s)\n",
                         first_error.empty() ? "timeout" : first_error.c_str());
            return 1;
        }
        failures.clear();
        first_error.clear();
    }

    t0 = clock_type::now();
    const double cpu0 = cpu_seconds();
    const double run_ms = seconds * 1000.0;
    for (auto& s : slots) start(s);
    double next_sweep = 100;
    for (;;) {
        double now = ms_since(t0);
        if (now >= run_ms) break;
        int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()),
                           static_cast<int>(std::min(run_ms - now, 100.0)) + 1);
        for (int k = 0; k < n; ++k) {
            auto& s = *static_cast<slot*>(events[static_cast<std::size_t>(k)].data.ptr);
            drive(s);
        }
        now = ms_since(t0);
        if (now >= run_ms) break;
        if (now >= next_sweep) {
            for (auto& s : slots)
                if (s.st != state::idle && now - s.started_ms > timeout_ms) fail(s, "timeout");
            next_sweep = now + 100;
        }
        for (auto& s : slots)
            if (s.st == state::idle) start(s);
    }
    const double elapsed_ms = ms_since(t0);
    const double cpu = cpu_seconds() - cpu0;
    running = false;
    long in_flight = 0;
    for (auto& s : slots) {
        if (s.st != state::idle) ++in_flight;
        release(s);
    }

    std::sort(answer_ms.begin(), answer_ms.end());
    auto pct = [&](double p) {
        return answer_ms.empty()
                   ? -1.0
                   : answer_ms[std::min(answer_ms.size() - 1, static_cast<std::size_t>(p / 100.0 * answer_ms.size()))];
    };
    long failed = 0;
    for (auto& [k, v] : failures) failed += v;
    std::printf("{\"mode\": \"%s\", \"connections\": %d, \"completed\": %ld, \"failed\": %ld", mode.c_str(),
                connections, completed, failed);
    print_counts("failures", failures);
    std::printf(", \"full\": %ld, \"resumed\": %ld", full, resumed);
    print_counts("statuses", statuses);
    print_counts("protocols", protocols);
    print_counts("ciphers", ciphers);
    print_counts("groups", groups);
    print_counts("alpn", alpns);
    std::printf(", \"leaf\": %s", leaf.empty() ? "{}" : leaf.c_str());
    std::printf(
        ", \"in_flight_at_end\": %ld, \"duration_ms\": %.1f, \"rate\": %.1f, \"answer_p50_ms\": %.3f, "
        "\"answer_p99_ms\": %.3f, \"client_cpu_s\": %.3f, \"first_error\": \"%s\"}\n",
        in_flight, elapsed_ms, completed / (elapsed_ms / 1000.0), pct(50), pct(99), cpu,
        json_escape(first_error).c_str());
    if (session) SSL_SESSION_free(session);
    SSL_CTX_free(ctx);
    close(ep);
    return 0;
}

// HTTPS: the same router, faults, scenarios and admin API as plain HTTP, over TLS,
// with a CA and a leaf minted at start (issue 16). Asserted through a real TLS client
// (tls_client.hpp, OpenSSL) that verifies the chain and the name as browsers do.

#include "client.hpp"
#include "scratch_dir.hpp"
#include "test_server.hpp"
#include "tls_client.hpp"

#include "tls/certificates.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <openssl/ssl.h>

#include <sys/socket.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

using namespace teapot::test;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;

namespace {

teapot::server_options tls_options() {
    auto o = test_options();
    o.tls.port = 0;
    return o;
}

// With --tls-alerts: TLS 1.3 connections keep the secret that tls-alert seals with.
teapot::server_options tls_alert_options() {
    auto o = tls_options();
    o.tls.alerts = true;
    return o;
}

// What an OpenSSL 3 client that verifies reports for each certificate case (empty: it passes).
std::vector<std::pair<std::string, std::string>> certificate_verdicts() {
    return {
        {"expired", "certificate has expired"},
        {"not-yet-valid", "certificate is not yet valid"},
        {"wrong-host", "hostname mismatch"},
        {"self-signed", "self-signed certificate"},
        {"untrusted-root", "self-signed certificate in certificate chain"},
        {"incomplete-chain", "unable to get local issuer certificate"},
        {"reversed-chain", ""},
        {"no-san", ""},  // OpenSSL reads the common name when there is no subjectAltName
        {"weak-key", "EE certificate key too weak"},
        {"sha1", "CA signature digest algorithm too weak"},
    };
}

std::string get_request(std::string_view target, std::string_view extra = {}) {
    return "GET " + std::string{target} + " HTTP/1.1\r\nHost: localhost\r\n" + std::string{extra} + "\r\n";
}

std::uint16_t case_port(const teapot::server& srv, std::string_view name) {
    for (const auto& c : srv.tls_cases())
        if (c.name == name) return c.port;
    FAIL("no TLS case " << name);
    return 0;
}

// An OpenSSL client's first flight as bytes, for a test that reads the server's answer raw.
std::string client_hello() {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, BIO_new(BIO_s_mem()), out);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_connect(ssl);  // wants the server's answer: the ClientHello waits in `out`
    std::string hello(BIO_ctrl_pending(out), '\0');
    BIO_read(out, hello.data(), static_cast<int>(hello.size()));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return hello;
}

}  // namespace

TEST_CASE("HTTPS: /status/418 answers over TLS, the minted leaf verified for localhost and 127.0.0.1", "[tls]") {
    test_server s{tls_options()};
    REQUIRE(s.srv.tls_port() != 0);
    REQUIRE(s.srv.tls_port() != s.port());
    CHECK(s.srv.tls_url() == "https://127.0.0.1:" + std::to_string(s.srv.tls_port()));
    REQUIRE(s.srv.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    for (const char* name : {"localhost", "127.0.0.1"}) {
        tls_connection c{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .server_name = name}};
        c.send(get_request("/status/418", "Connection: close\r\n"));
        auto r = c.read_response();
        CHECK(r.status == 418);
        CHECK(r.body.find("teapot") != std::string::npos);
        CHECK(c.alpn() == "http/1.1");
    }
    // Plain HTTP still answers beside it.
    CHECK(fetch(s.port(), "/status/418").status == 418);
}

TEST_CASE("HTTPS: a name the leaf does not hold fails verification, and one given by tls.names passes", "[tls]") {
    auto o = tls_options();
    o.tls.names = {"api.test", "10.1.2.3"};
    test_server s{o};
    auto failure = handshake_failure(s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .server_name = "other.test"});
    CHECK(failure.find("hostname mismatch") != std::string::npos);
    CHECK(fetch_tls(s.srv.tls_port(), s.srv.ca_pem(), "/status/200").status == 200);
    tls_connection named{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .server_name = "api.test"}};
    // An IP address is checked against the IP SANs (no SNI is sent for it).
    tls_connection address{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .server_name = "10.1.2.3"}};
    // A client that does not trust the CA fails as it should: the CA is this run's own.
    auto untrusted = handshake_failure(
        s.srv.tls_port(), {.ca_pem = teapot::detail::tls::make_certificate_authority("another CA").certificate_pem});
    CHECK(untrusted.find("certificate verify failed") != std::string::npos);
}

TEST_CASE("HTTPS: TLS 1.2 and 1.3 both serve, and TLS 1.1 is refused", "[tls]") {
    test_server s{tls_options()};
    tls_connection v12{s.srv.tls_port(),
                       {.ca_pem = s.srv.ca_pem(), .min_version = TLS1_2_VERSION, .max_version = TLS1_2_VERSION}};
    CHECK(v12.version() == "TLSv1.2");
    tls_connection v13{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()}};
    CHECK(v13.version() == "TLSv1.3");
    v13.send(get_request("/status/204"));
    CHECK(v13.read_response().status == 204);
    auto old = handshake_failure(
        s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .min_version = TLS1_1_VERSION, .max_version = TLS1_1_VERSION});
    CHECK_FALSE(old.empty());
}

TEST_CASE(
    "HTTPS: ALPN selects h2 when offered, else http/1.1, and with HTTP/2 off a client offering only h2 is refused",
    "[tls][http2]") {
    {
        test_server s{tls_options()};
        tls_connection both{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .alpn = {"http/1.1", "h2"}}};
        CHECK(both.alpn() == "h2");  // the server's preference, whatever the client's order
        tls_connection http11{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .alpn = {"http/1.1"}}};
        CHECK(http11.alpn() == "http/1.1");
        tls_connection none{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .alpn = {}}};
        CHECK(none.alpn().empty());
    }
    auto o = tls_options();
    o.http2 = false;
    test_server s{o};
    tls_connection both{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .alpn = {"h2", "http/1.1"}}};
    CHECK(both.alpn() == "http/1.1");
    // RFC 7301 §3.2: no protocol in common is the no_application_protocol alert.
    auto h2_only = handshake_failure(s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .alpn = {"h2"}});
    CHECK(h2_only.find("no application protocol") != std::string::npos);
}

TEST_CASE("HTTPS: keep-alive, interim 103 and knobs work as over plain HTTP", "[tls]") {
    test_server s{tls_options()};
    tls_connection c{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()}};
    c.send(get_request("/status/103"));
    auto interim = c.read_response();
    CHECK(interim.status == 103);
    CHECK(interim.has("Link"));
    CHECK(c.read_response().status == 200);
    c.send(get_request("/status/429?retry_after=7"));
    auto limited = c.read_response();
    CHECK(limited.status == 429);
    CHECK(limited.header("Retry-After") == "7");
    c.send(get_request("/status/302"));
    CHECK(c.read_response().has("Location"));
}

TEST_CASE("HTTPS: a Connection: close answer ends with close_notify, then the end of the stream", "[tls]") {
    test_server s{tls_options()};
    tls_connection c{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()}};
    c.send(get_request("/status/200", "Connection: close\r\n"));
    auto got = c.read_to_end(std::chrono::seconds{5});
    CHECK(got.bytes.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(got.how == tls_connection::ending::close_notify);
}

TEST_CASE("HTTPS: wire faults break the TLS connection as they break TCP", "[tls][faults]") {
    test_server s{tls_options()};
    const auto port = s.srv.tls_port();
    const auto& ca = s.srv.ca_pem();
    SECTION("444 closes without a byte and without close_notify") {
        tls_connection c{port, {.ca_pem = ca}};
        c.send(get_request("/status/444"));
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.bytes.empty());
        CHECK(got.how == tls_connection::ending::fin_without_close_notify);
    }
    SECTION("reset: an RST") {
        tls_connection c{port, {.ca_pem = ca}};
        c.send(get_request("/status/200?fault=reset"));
        CHECK(c.read_to_end(std::chrono::seconds{5}).how == tls_connection::ending::reset);
    }
    SECTION("truncate: part of the body, then close_notify (the client sees fewer bytes than announced)") {
        tls_connection c{port, {.ca_pem = ca}};
        c.send(get_request("/status/200?fault=truncate:5"));
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.how == tls_connection::ending::close_notify);
        const auto body = got.bytes.substr(got.bytes.find("\r\n\r\n") + 4);
        CHECK(body.size() == 5);
    }
    SECTION("garbage: the bytes arrive inside the TLS stream, not HTTP") {
        tls_connection c{port, {.ca_pem = ca}};
        c.send(get_request("/status/200?fault=garbage:64B"));
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.bytes.size() == 64);
        CHECK_FALSE(got.bytes.starts_with("HTTP/"));
        CHECK(got.how == tls_connection::ending::close_notify);
    }
}

TEST_CASE("HTTPS: record faults break the TLS stream itself, below HTTP", "[tls][faults]") {
    test_server s{tls_options()};
    const auto port = s.srv.tls_port();
    const auto& ca = s.srv.ca_pem();
    const auto whole = fetch_tls(port, ca, "/status/200").body;
    REQUIRE(whole.size() > 10);
    auto body_of = [](const std::string& bytes) { return bytes.substr(bytes.find("\r\n\r\n") + 4); };
    SECTION("tls-no-close-notify: the body framed by the end, then a FIN without close_notify") {
        tls_connection c{port, {.ca_pem = ca}};
        c.send(get_request("/status/200?fault=tls-no-close-notify:5"));
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.how == tls_connection::ending::fin_without_close_notify);
        CHECK(got.bytes.find("Connection: close\r\n") != std::string::npos);
        CHECK(got.bytes.find("Content-Length") == std::string::npos);
        CHECK(body_of(got.bytes) == whole.substr(0, 5));
    }
    SECTION("tls-bad-record: half the body, then a record no key decrypts") {
        tls_connection c{port, {.ca_pem = ca}};
        c.send(get_request("/status/200?fault=tls-bad-record"));
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.how == tls_connection::ending::tls_error);
        CHECK(got.error.find("bad record mac") != std::string::npos);
        CHECK(body_of(got.bytes) == whole.substr(0, whole.size() / 2));
    }
    SECTION("tls-key-update: TLS 1.3's KeyUpdate before the body, and the connection serves on") {
        tls_connection c{port, {.ca_pem = ca}};
        c.send(get_request("/status/200?fault=tls-key-update"));
        CHECK(c.read_response().body == whole);
        CHECK(c.handshake_messages_received(SSL3_MT_KEY_UPDATE) == 1);
        c.send(get_request("/status/418"));  // the client's own KeyUpdate precedes it
        CHECK(c.read_response().status == 418);
    }
    SECTION("tls-renegotiate: TLS 1.2's HelloRequest and a new handshake before the body, then it serves on") {
        tls_connection c{port, {.ca_pem = ca, .max_version = TLS1_2_VERSION}};
        c.send(get_request("/status/200?fault=tls-renegotiate"));
        CHECK(c.read_response().body == whole);
        CHECK(c.handshake_messages_received(SSL3_MT_HELLO_REQUEST) == 1);
        CHECK(c.handshake_messages_received(SSL3_MT_FINISHED) == 2);  // the first handshake's and the new one's
        c.send(get_request("/status/418"));
        CHECK(c.read_response().status == 418);
        auto entries = s.srv.requests();
        REQUIRE(entries.size() == 3);  // the whole body's fetch, the fault, the 418
        CHECK(entries[1].fault == "tls-renegotiate");
    }
    SECTION("over the wrong transport, a 400 that says why") {
        auto r = fetch(s.port(), "/status/200?fault=tls-key-update");
        CHECK(r.status == 400);
        CHECK(r.body.find("plain HTTP") != std::string::npos);
        tls_connection c{port, {.ca_pem = ca, .max_version = TLS1_2_VERSION}};
        c.send(get_request("/status/200?fault=tls-key-update"));
        auto refused = c.read_response();
        CHECK(refused.status == 400);
        CHECK(refused.body.find("needs TLS 1.3") != std::string::npos);
    }
}

TEST_CASE("HTTPS: tls-alert seals a fatal alert under the traffic keys, mid-body, with every AEAD and version",
          "[tls][faults]") {
    test_server s{tls_alert_options()};
    const auto port = s.srv.tls_port();
    const auto& ca = s.srv.ca_pem();
    const auto whole = fetch_tls(port, ca, "/status/200").body;
    REQUIRE(whole.size() > 10);
    struct suite {
        int max_version;
        const char* ciphers;
    };
    const auto [max_version, ciphers] = GENERATE(
        suite{TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256"}, suite{TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384"},
        suite{TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256"}, suite{TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256"},
        suite{TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384"}, suite{TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305"});
    INFO(ciphers);
    tls_connection c{port, {.ca_pem = ca, .max_version = max_version, .ciphers = ciphers}};
    REQUIRE(c.cipher() == ciphers);
    // Records already written under the keys (a response, TLS 1.3's tickets): the sequence number counts them.
    c.send(get_request("/status/418"));
    CHECK(c.read_response().status == 418);
    c.send(get_request("/status/200?fault=tls-alert:internal_error"));
    auto got = c.read_to_end(std::chrono::seconds{5});
    CHECK(got.how == tls_connection::ending::tls_error);
    CHECK(got.error.find("alert internal error") != std::string::npos);
    CHECK(got.bytes.substr(got.bytes.find("\r\n\r\n") + 4) == whole.substr(0, whole.size() / 2));
    auto entries = s.srv.requests();
    REQUIRE(entries.size() == 3);
    CHECK(entries[2].fault == "tls-alert");
}

TEST_CASE("HTTPS: a client that never answers tls-renegotiate's HelloRequest is closed at the write timeout",
          "[tls][faults][hostile]") {
    auto o = tls_options();
    o.request_limits.write_timeout = std::chrono::milliseconds{300};
    test_server s{o};
    tls_connection c{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .max_version = TLS1_2_VERSION}};
    c.send(get_request("/status/200?fault=tls-renegotiate"));
    const auto started = std::chrono::steady_clock::now();
    // Never read through OpenSSL, which would answer the HelloRequest: the raw bytes, to the end.
    CHECK(c.raw_end_within(std::chrono::seconds{5}));
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{250});
    tls_connection next{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()}};
    next.send(get_request("/status/418"));
    CHECK(next.read_response().status == 418);  // and the server serves on
}

TEST_CASE("HTTPS: tls-alert after KeyUpdates, with no body, and where it cannot be sealed", "[tls][faults]") {
    test_server s{tls_alert_options()};
    const auto port = s.srv.tls_port();
    const auto& ca = s.srv.ca_pem();
    SECTION("after two KeyUpdates on the connection, under the keys they made") {
        tls_connection c{port, {.ca_pem = ca}};
        for (int i = 0; i < 2; ++i) {
            c.send(get_request("/status/200?fault=tls-key-update"));
            CHECK(c.read_response().status == 200);
        }
        REQUIRE(c.handshake_messages_received(SSL3_MT_KEY_UPDATE) == 2);
        c.send(get_request("/status/204?fault=tls-alert:access_denied"));
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.how == tls_connection::ending::tls_error);
        CHECK(got.error.find("alert access denied") != std::string::npos);
        CHECK(got.bytes.starts_with("HTTP/1.1 204 No Content\r\n"));  // the head, then the alert
    }
    SECTION("after KeyUpdates the client asked for, each answered by the server's own") {
        tls_connection c{port, {.ca_pem = ca}};
        for (int i = 0; i < 50; ++i) {
            c.update_keys();
            c.send(get_request("/status/418"));
            CHECK(c.read_response().status == 418);
        }
        REQUIRE(c.handshake_messages_received(SSL3_MT_KEY_UPDATE) == 50);
        c.send(get_request("/status/200?fault=tls-alert:internal_error"));
        CHECK(c.read_to_end(std::chrono::seconds{5}).error.find("alert internal error") != std::string::npos);
    }
    SECTION("a CBC suite of TLS 1.2: a 400 that names it") {
        tls_connection c{port, {.ca_pem = ca, .max_version = TLS1_2_VERSION, .ciphers = "ECDHE-ECDSA-AES128-SHA256"}};
        c.send(get_request("/status/200?fault=tls-alert:internal_error"));
        auto refused = c.read_response();
        CHECK(refused.status == 400);
        CHECK(refused.body.find("ECDHE-ECDSA-AES128-SHA256") != std::string::npos);
    }
    SECTION("without --tls-alerts: a 400 under TLS 1.3, which names the flag, and the alert under TLS 1.2") {
        test_server plain_keys{tls_options()};
        tls_connection c13{plain_keys.srv.tls_port(), {.ca_pem = plain_keys.srv.ca_pem()}};
        c13.send(get_request("/status/200?fault=tls-alert:internal_error"));
        auto refused = c13.read_response();
        CHECK(refused.status == 400);
        CHECK(refused.body.find("--tls-alerts") != std::string::npos);
        tls_connection c12{plain_keys.srv.tls_port(),
                           {.ca_pem = plain_keys.srv.ca_pem(), .max_version = TLS1_2_VERSION}};
        c12.send(get_request("/status/200?fault=tls-alert:internal_error"));
        CHECK(c12.read_to_end(std::chrono::seconds{5}).error.find("alert internal error") != std::string::npos);
    }
    SECTION("an unknown alert: a 400 that lists the names") {
        tls_connection c{port, {.ca_pem = ca}};
        c.send(get_request("/status/200?fault=tls-alert:grumpy"));
        auto refused = c.read_response();
        CHECK(refused.status == 400);
        CHECK(refused.body.find("handshake_failure") != std::string::npos);
    }
}

TEST_CASE("HTTPS: a scenario step's tls- fault breaks a TLS connection, and is a 400 over plain HTTP",
          "[tls][faults]") {
    test_server s{tls_alert_options()};
    s.srv.load_scenario(R"(
name: truncating-proxy
routes:
  - id: report
    match: { path: /report }
    steps: [{ body: "0123456789", fault: { tls-no-close-notify: 4B } }]
  - id: denied
    match: { path: /denied }
    steps: [{ body: "0123456789", fault: { tls-alert: access_denied } }]
)");
    tls_connection c{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()}};
    c.send(get_request("/report"));
    auto got = c.read_to_end(std::chrono::seconds{5});
    CHECK(got.how == tls_connection::ending::fin_without_close_notify);
    CHECK(got.bytes.ends_with("\r\n\r\n0123"));
    tls_connection denied{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()}};
    denied.send(get_request("/denied"));
    got = denied.read_to_end(std::chrono::seconds{5});
    CHECK(got.error.find("alert access denied") != std::string::npos);
    CHECK(got.bytes.ends_with("\r\n\r\n01234"));
    auto plain = fetch(s.port(), "/report");
    CHECK(plain.status == 400);
    CHECK(plain.body.find("fault tls-no-close-notify breaks the TLS stream") != std::string::npos);
}

TEST_CASE("HTTPS: the handshake has the header deadline, bytes that are not TLS are refused and the server serves on",
          "[tls][hostile]") {
    auto o = tls_options();
    o.request_limits.header_timeout = std::chrono::milliseconds{300};
    test_server s{o};
    {
        // A client that connects and says nothing is closed once the header timeout passes.
        connection silent{s.srv.tls_port()};
        auto started = std::chrono::steady_clock::now();
        auto got = silent.read_to_end(std::chrono::seconds{5});
        CHECK(got.how != connection::ending::still_open);
        CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{250});
    }
    {
        // Plain HTTP to the HTTPS port: no HTTP answer (a TLS alert at most), then the end.
        connection plain{s.srv.tls_port()};
        plain.send(get_request("/status/200"));
        auto got = plain.read_to_end(std::chrono::seconds{5});
        CHECK(got.how != connection::ending::still_open);
        CHECK(got.bytes.find("HTTP/1.1") == std::string::npos);
    }
    CHECK(fetch_tls(s.srv.tls_port(), s.srv.ca_pem(), "/status/200").status == 200);
}

TEST_CASE("HTTPS on the plain port: the first byte tells TLS from HTTP, and each is served as on its own port",
          "[tls]") {
    auto o = test_options();
    o.tls.on_plain_port = true;
    o.request_limits.header_timeout = std::chrono::milliseconds{300};
    test_server s{o};
    REQUIRE(s.srv.tls_port() == s.port());
    CHECK(s.srv.tls_url() == "https://127.0.0.1:" + std::to_string(s.port()));
    CHECK(fetch(s.port(), "/status/418").status == 418);
    {
        tls_connection c{s.port(), {.ca_pem = s.srv.ca_pem()}};
        c.send(get_request("/status/200?fault=tls-key-update"));  // a TLS fault: the stream is TLS indeed
        CHECK(c.read_response().status == 200);
        CHECK(c.handshake_messages_received(SSL3_MT_KEY_UPDATE) == 1);
    }
    auto entries = s.srv.requests();
    REQUIRE(entries.size() == 2);
    CHECK_FALSE(entries[0].tls);
    REQUIRE(entries[1].tls);
    CHECK(entries[1].tls->version == "TLSv1.3");
    {
        // Silent: closed at the header deadline, without a byte.
        connection silent{s.port()};
        CHECK(silent.read_to_end(std::chrono::seconds{5}).how != connection::ending::still_open);
    }
    {
        // A handshake record's first byte, then bytes that are not TLS: the handshake fails, the port serves on.
        connection fake{s.port()};
        fake.send("\x16GET / HTTP/1.1\r\n\r\n");
        auto got = fake.read_to_end(std::chrono::seconds{5});
        CHECK(got.how != connection::ending::still_open);
        CHECK(got.bytes.find("HTTP/1.1") == std::string::npos);
    }
    CHECK(fetch(s.port(), "/status/204").status == 204);
    CHECK(fetch_tls(s.port(), s.srv.ca_pem(), "/status/201").status == 201);
}

TEST_CASE("HTTPS: a second connection resumes the first one's session", "[tls]") {
    test_server s{tls_options()};
    SSL_SESSION* session = nullptr;
    {
        tls_connection first{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()}};
        // TLS 1.3 sends its tickets after the handshake: a request and its answer bring them.
        first.send(get_request("/status/200"));
        first.read_response();
        session = first.session();
        CHECK_FALSE(first.resumed());
    }
    REQUIRE(session != nullptr);
    tls_connection second{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .resume = session}};
    SSL_SESSION_free(session);
    CHECK(second.resumed());
}

TEST_CASE("HTTPS: /status/101 completes a WebSocket handshake over TLS and echoes", "[tls]") {
    test_server s{tls_options()};
    net::io_context ioc;
    net::ssl::context ctx{net::ssl::context::tls_client};
    ctx.add_certificate_authority(net::buffer(s.srv.ca_pem()));
    ctx.set_verify_mode(net::ssl::verify_peer);
    websocket::stream<net::ssl::stream<net::ip::tcp::socket>> ws{ioc, ctx};
    boost::beast::get_lowest_layer(ws).connect({net::ip::make_address("127.0.0.1"), s.srv.tls_port()});
    SSL_set_tlsext_host_name(ws.next_layer().native_handle(), "localhost");
    ws.next_layer().set_verify_callback(net::ssl::host_name_verification("localhost"));
    ws.next_layer().handshake(net::ssl::stream_base::client);
    websocket::response_type res;
    ws.handshake(res, "localhost", "/status/101");
    CHECK(res.result_int() == 101);
    ws.text(true);
    ws.write(net::buffer(std::string{"over TLS"}));
    boost::beast::flat_buffer buffer;
    ws.read(buffer);
    CHECK(boost::beast::buffers_to_string(buffer.data()) == "over TLS");
    ws.close(websocket::close_code::normal);
}

TEST_CASE("HTTPS: scenarios, the journal and wait_for see requests that came over TLS", "[tls]") {
    test_server s{tls_options()};
    s.srv.load_scenario(R"(
name: flaky
routes:
  - id: orders
    match: { path: /orders }
    steps: [{ status: 503, times: 1 }, { status: 200 }]
)");
    CHECK(fetch_tls(s.srv.tls_port(), s.srv.ca_pem(), "/orders").status == 503);
    CHECK(fetch(s.port(), "/orders").status == 200);  // the same sequence, whichever the transport
    CHECK(s.srv.wait_for({.route = "orders"}, 2));
    CHECK(s.srv.requests({.route = "orders"}).size() == 2);
}

TEST_CASE("HTTPS: GET /__teapot/ca.pem serves the CA the leaf chains to, over either transport", "[tls][admin]") {
    test_server s{tls_options()};
    auto plain = fetch(s.port(), "/__teapot/ca.pem");
    CHECK(plain.status == 200);
    CHECK(plain.body == s.srv.ca_pem());
    CHECK(fetch_tls(s.srv.tls_port(), plain.body, "/__teapot/ca.pem").body == plain.body);
    test_server without_tls;
    CHECK(without_tls.srv.ca_pem().empty());
    CHECK(fetch(without_tls.port(), "/__teapot/ca.pem").status == 404);
}

TEST_CASE("HTTPS only: without plain HTTP, url() is the HTTPS one and the port serves TLS", "[tls]") {
    auto o = tls_options();
    o.plain_http = false;
    test_server s{o};
    CHECK(s.srv.url() == s.srv.tls_url());
    CHECK(s.port() == s.srv.tls_port());
    CHECK(fetch_tls(s.port(), s.srv.ca_pem(), "/status/418").status == 418);
    auto neither = test_options();
    neither.plain_http = false;
    teapot::server nothing{neither};
    CHECK_THROWS_AS(nothing.start(), std::invalid_argument);
}

TEST_CASE("HTTPS: a CA given in the options issues the leaf, and a leaf given is served as it is", "[tls]") {
    namespace tls = teapot::detail::tls;
    const auto ca = tls::make_certificate_authority("kept CA");
    {
        auto o = tls_options();
        o.tls.ca_certificate_pem = ca.certificate_pem;
        o.tls.ca_key_pem = ca.key_pem;
        test_server s{o};
        CHECK(s.srv.ca_pem() == ca.certificate_pem);
        CHECK(fetch_tls(s.srv.tls_port(), ca.certificate_pem, "/status/200").status == 200);
    }
    {
        tls::leaf_request request;
        request.dns_names = {"own.test"};
        const auto leaf = tls::issue_leaf(ca, request);
        auto o = tls_options();
        o.tls.certificate_pem = leaf.certificate_pem;
        o.tls.key_pem = leaf.key_pem;
        test_server s{o};
        CHECK(s.srv.ca_pem().empty());  // the issuer is the user's, unknown to teapot
        tls_connection c{s.srv.tls_port(), {.ca_pem = ca.certificate_pem, .server_name = "own.test"}};
        auto other = handshake_failure(s.srv.tls_port(), {.ca_pem = ca.certificate_pem, .server_name = "localhost"});
        CHECK(other.find("hostname mismatch") != std::string::npos);
    }
    {
        auto o = tls_options();
        o.tls.ca_certificate_pem = ca.certificate_pem;  // without its key
        teapot::server half{o};
        CHECK_THROWS_AS(half.start(), std::invalid_argument);
        auto mismatched = tls_options();
        mismatched.tls.certificate_pem = ca.certificate_pem;
        mismatched.tls.key_pem = tls::make_certificate_authority("other").key_pem;
        teapot::server wrong{mismatched};
        CHECK_THROWS_WITH(wrong.start(), Catch::Contains("does not match"));
    }
}

TEST_CASE("HTTPS: the journal records each request's TLS facts, and none for plain HTTP", "[tls][journal]") {
    test_server s{tls_options()};
    {
        tls_connection c{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .alpn = {"http/1.1"}}};
        c.send(get_request("/status/201?over=tls"));
        CHECK(c.read_response().status == 201);
    }
    {
        // An address sends no SNI (RFC 6066 §3), and this client offers no ALPN.
        tls_connection c{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .server_name = "127.0.0.1", .alpn = {}}};
        c.send(get_request("/status/202"));
        CHECK(c.read_response().status == 202);
    }
    CHECK(fetch(s.port(), "/status/203").status == 203);
    REQUIRE(s.srv.wait_for({}, 3));
    auto entries = s.srv.requests();
    REQUIRE(entries.size() == 3);
    REQUIRE(entries[0].tls);
    CHECK(entries[0].tls->server_name == "localhost");
    CHECK(entries[0].tls->version == "TLSv1.3");
    CHECK(entries[0].tls->cipher.starts_with("TLS_"));
    CHECK(entries[0].tls->alpn == "http/1.1");
    CHECK(entries[0].tls->client_subject.empty());
    REQUIRE(entries[1].tls);
    CHECK(entries[1].tls->server_name.empty());
    CHECK(entries[1].tls->alpn.empty());
    CHECK_FALSE(entries[2].tls);

    auto listing = fetch(s.port(), "/__teapot/requests");
    REQUIRE(listing.status == 200);
    auto json = boost::json::parse(listing.body).at("requests").as_array();
    REQUIRE(json.size() == 3);
    const auto& facts = json[0].at("tls").as_object();
    CHECK(facts.at("server_name") == "localhost");
    CHECK(facts.at("version") == "TLSv1.3");
    CHECK(facts.at("alpn") == "http/1.1");
    CHECK(facts.at("client_certificate").is_null());
    CHECK(json[1].at("tls").at("server_name").is_null());
    CHECK(json[2].at("tls").is_null());
}

TEST_CASE("TLS cases: each listener fails an OpenSSL client's verification for its reason, or passes", "[tls]") {
    auto o = tls_options();
    o.tls.cases = true;
    test_server s{o};
    // What OpenSSL 3's client reports against the CA, case by case (docs/tls.md has curl's, Python's, Node's).
    // The certificate cases, then the others, in the listing's order.
    auto expected = certificate_verdicts();
    expected.insert(expected.end(),
                    {
                        // This client offers TLS 1.0 and 1.1 (OpenSSL's minimum), then refuses their SHA-1 signatures.
                        {"tls1.0", "legacy sigalg disallowed or unsupported"},
                        {"tls1.1", "legacy sigalg disallowed or unsupported"},
                        {"tls1.2", ""},
                        {"tls1.3", ""},
                        {"client-cert-required", ""},  // under TLS 1.3 the refusal comes on the first read: below
                        {"client-cert-other-ca", ""},
                        {"no-resumption", ""},
                        {"handshake-hang", "timed out"},  // the client's receive timeout
                        {"handshake-slow", ""},           // a piece every 100 ms: within the 500 ms receive timeout
                        {"handshake-reset", "Connection reset by peer"},
                        {"handshake-alert-handshake-failure", "sslv3 alert handshake failure"},
                        {"handshake-alert-internal-error", "tlsv1 alert internal error"},
                        {"handshake-alert-protocol-version", "tlsv1 alert protocol version"},
                        // This client offers http/1.1 alone, and the case's listener speaks h2 alone.
                        {"h2-settings-no-ack", "tlsv1 alert no application protocol"},
                    });
    const auto& listed = s.srv.tls_cases();
    REQUIRE(listed.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& [name, reason] = expected[i];
        INFO(name);
        CHECK(listed[i].name == name);
        CHECK(listed[i].url == "https://localhost:" + std::to_string(listed[i].port));
        const auto failure =
            handshake_failure(listed[i].port, {.ca_pem = s.srv.ca_pem(), .timeout = std::chrono::milliseconds{500}});
        if (reason.empty())
            CHECK(failure.empty());
        else
            CHECK_THAT(failure, Catch::Contains(reason));
    }
}

TEST_CASE("TLS cases: the pinned versions serve a client that speaks them, and the cases answer HTTP", "[tls]") {
    auto o = tls_options();
    o.tls.cases = true;
    test_server s{o};
    auto port_of = [&](std::string_view name) {
        for (const auto& c : s.srv.tls_cases())
            if (c.name == name) return c.port;
        FAIL("no case " << name);
        return std::uint16_t{0};
    };
    for (auto [name, version, wire] :
         {std::tuple{"tls1.0", TLS1_VERSION, "TLSv1"}, std::tuple{"tls1.1", TLS1_1_VERSION, "TLSv1.1"},
          std::tuple{"tls1.2", TLS1_2_VERSION, "TLSv1.2"}}) {
        INFO(name);
        tls_connection c{port_of(name),
                         {.ca_pem = s.srv.ca_pem(), .min_version = version, .max_version = version, .legacy = true}};
        CHECK(c.version() == wire);
        c.send(get_request("/status/418"));
        CHECK(c.read_response().status == 418);
    }
    // A client that does not verify reaches a broken certificate's HTTP, as `curl -k` does.
    tls_connection expired{port_of("expired"), {}};
    expired.send(get_request("/status/201"));
    CHECK(expired.read_response().status == 201);
}

TEST_CASE("TLS cases: GET /__teapot/tls lists them with their URL, SNI name and verdict", "[tls][admin]") {
    auto o = tls_options();
    o.tls.cases = true;
    test_server s{o};
    auto r = fetch(s.port(), "/__teapot/tls");
    REQUIRE(r.status == 200);
    auto json = boost::json::parse(r.body).as_object();
    CHECK(json.at("ca") == "/__teapot/ca.pem");
    const auto& cases = json.at("cases").as_array();
    REQUIRE(cases.size() == s.srv.tls_cases().size());
    CHECK(cases[0].at("name") == "expired");
    CHECK(cases[0].at("sni") == "expired.localhost");
    CHECK(cases[0].at("url").as_string() == s.srv.tls_cases()[0].url.c_str());
    CHECK(cases[0].at("verdict") == "certificate has expired");
    test_server without;
    CHECK(boost::json::parse(fetch(without.port(), "/__teapot/tls").body).at("cases").as_array().empty());
}

TEST_CASE("TLS cases: mutual TLS refuses a client without a certificate of the CA, and journals the one presented",
          "[tls][journal]") {
    auto o = tls_options();
    o.tls.cases = true;
    test_server s{o};
    const auto required = case_port(s.srv, "client-cert-required");
    const auto other = case_port(s.srv, "client-cert-other-ca");
    const auto& client = s.srv.client_certificate_pem();
    REQUIRE(client.find("PRIVATE KEY") != std::string::npos);
    SECTION("TLS 1.3: the handshake completes on the client's side, its first read gets alert 116") {
        tls_connection c{required, {.ca_pem = s.srv.ca_pem()}};
        c.send(get_request("/status/200"));
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.how == tls_connection::ending::tls_error);
        CHECK_THAT(got.error, Catch::Contains("certificate required"));
    }
    SECTION("TLS 1.2: the handshake itself fails") {
        auto failure = handshake_failure(required, {.ca_pem = s.srv.ca_pem(), .max_version = TLS1_2_VERSION});
        CHECK_THAT(failure, Catch::Contains("handshake failure"));
    }
    SECTION("a certificate of another CA: unknown ca") {
        tls_connection c{other, {.ca_pem = s.srv.ca_pem(), .client_pem = client}};
        c.send(get_request("/status/200"));
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.how == tls_connection::ending::tls_error);
        CHECK_THAT(got.error, Catch::Contains("unknown ca"));
    }
    SECTION("the CA's client certificate is served, and the journal names it") {
        tls_connection c{required, {.ca_pem = s.srv.ca_pem(), .client_pem = client}};
        c.send(get_request("/status/418"));
        CHECK(c.read_response().status == 418);
        REQUIRE(s.srv.wait_for({}, 1));
        auto entry = s.srv.requests().back();
        REQUIRE(entry.tls);
        CHECK(entry.tls->client_subject == "CN=teapot test client,O=teapot");
        CHECK(entry.tls->client_issuer == "CN=teapot test CA,O=teapot");
    }
}

TEST_CASE("TLS cases: no-resumption gives each connection a full handshake, TLS 1.2 and 1.3", "[tls]") {
    auto o = tls_options();
    o.tls.cases = true;
    test_server s{o};
    const auto port = case_port(s.srv, "no-resumption");
    for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        INFO("version " << version);
        tls_client_options options{.ca_pem = s.srv.ca_pem(), .max_version = version};
        SSL_SESSION* session = nullptr;
        {
            tls_connection first{port, options};
            first.send(get_request("/status/200"));
            CHECK(first.read_response().status == 200);
            CHECK(first.handshake_messages_received(SSL3_MT_NEWSESSION_TICKET) == 0);
            session = first.session();
        }
        REQUIRE(session != nullptr);
        options.resume = session;
        tls_connection second{port, options};
        SSL_SESSION_free(session);
        CHECK_FALSE(second.resumed());
    }
}

TEST_CASE("TLS cases: handshake-slow sends its flight 128 bytes a pause, then serves", "[tls]") {
    auto o = tls_options();
    o.tls.cases = true;
    test_server s{o};
    const auto port = case_port(s.srv, "handshake-slow");
    connection raw{port};
    raw.send(client_hello());
    // However late this reader, the server never sends faster than 128 bytes a pause: 640 bytes
    // cannot arrive before four pauses have passed.
    std::size_t received = 0;
    const auto started = std::chrono::steady_clock::now();
    std::array<char, 4096> buffer{};
    while (received < 5 * 128) {
        const auto n = ::recv(raw.fd(), buffer.data(), buffer.size(), 0);
        if (n <= 0) break;
        received += static_cast<std::size_t>(n);
    }
    REQUIRE(received >= 5 * 128);
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{390});
    tls_connection c{port, {.ca_pem = s.srv.ca_pem()}};
    c.send(get_request("/status/418"));
    CHECK(c.read_response().status == 418);
}

TEST_CASE("HTTPS: a tls expect rule requires a client certificate of the CA, and names the request without one",
          "[tls][verify]") {
    auto o = tls_options();
    o.tls.cases = true;
    test_server s{o};
    s.srv.load_scenario(R"(
name: mtls
routes:
  - id: upload
    match: { path: /upload }
    steps: [{ status: 201 }]
expect:
  - { route: upload, tls: { client_certificate: true, client_issuer: "CN=teapot test CA,O=teapot" } }
)");
    {
        tls_connection c{case_port(s.srv, "client-cert-required"),
                         {.ca_pem = s.srv.ca_pem(), .client_pem = s.srv.client_certificate_pem()}};
        c.send(get_request("/upload"));
        CHECK(c.read_response().status == 201);
    }
    REQUIRE(s.srv.wait_for({.route = "upload"}, 1));
    auto passed = s.srv.verify_expectations();
    INFO(passed.diff);
    CHECK(passed.passed);
    // The same route over the main HTTPS port without a certificate, then over plain HTTP.
    CHECK(fetch_tls(s.srv.tls_port(), s.srv.ca_pem(), "/upload").status == 201);
    auto failed = s.srv.verify_expectations();
    CHECK_FALSE(failed.passed);
    CHECK_THAT(failed.diff, Catch::Contains("presented no client certificate"));
    auto version = s.srv.verify("[{route: upload, tls: {version: TLSv1.2}}]");
    CHECK_FALSE(version.passed);
    CHECK_THAT(version.diff, Catch::Contains("had version 'TLSv1.3', not 'TLSv1.2'"));
    CHECK(s.srv.verify("[{route: upload, tls: true}]").passed);
    CHECK(fetch(s.port(), "/upload").status == 201);
    auto plain = s.srv.verify("[{route: upload, tls: true}]");
    CHECK_FALSE(plain.passed);
    CHECK_THAT(plain.diff, Catch::Contains("came over plain HTTP"));
}

TEST_CASE("TLS cases: a scenario file's tls_cases are served without --tls-cases, and only they", "[tls][scenario]") {
    scratch_dir dir;
    auto o = tls_options();
    o.scenario_paths = {dir.add("broken-upstream.yaml", R"(name: broken-upstream
tls_cases: [handshake-slow, expired]
routes: [{ id: r, steps: [{ status: 200 }] }]
)")};
    test_server s{o};
    const auto& listed = s.srv.tls_cases();
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].name == "expired");  // in the table's order
    CHECK(listed[1].name == "handshake-slow");
    CHECK_THAT(handshake_failure(listed[0].port, {.ca_pem = s.srv.ca_pem()}),
               Catch::Contains("certificate has expired"));
    // By name on the main port too, as with --tls-cases.
    CHECK_THAT(handshake_failure(s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .server_name = "expired.localhost"}),
               Catch::Contains("certificate has expired"));
    // A scenario loaded later may name the cases served, and no other: listeners are bound at start.
    s.srv.load_scenario("name: later\ntls_cases: [expired]\nroutes: [{ id: r, steps: [{}] }]\n");
    try {
        s.srv.load_scenario("name: later2\ntls_cases: [handshake-hang]\nroutes: [{ id: r, steps: [{}] }]\n");
        FAIL("a case not served was accepted");
    } catch (const teapot::scenario_error& e) {
        REQUIRE(e.errors().size() == 1);
        CHECK_THAT(e.errors()[0], Catch::Contains("2:13: TLS case 'handshake-hang' is not served"));
    }
}

TEST_CASE("TLS cases: tls_cases naming an unknown case, or without HTTPS, stop the start and say where",
          "[tls][scenario]") {
    scratch_dir dir;
    auto o = tls_options();
    o.scenario_paths = {dir.add("typo.yaml", "name: typo\ntls_cases: [expird]\nroutes: [{ id: r, steps: [{}] }]\n")};
    try {
        test_server s{o};
        FAIL("an unknown case started");
    } catch (const teapot::scenario_error& e) {
        REQUIRE(e.errors().size() == 1);
        CHECK_THAT(e.errors()[0], Catch::Contains("typo.yaml:2:13: no TLS case 'expird'; expected one of: expired,"));
    }
    auto plain = test_options();
    plain.scenario_paths = {
        dir.add("needs-tls.yaml", "name: needs-tls\ntls_cases: [expired]\nroutes: [{ id: r, steps: [{}] }]\n")};
    try {
        test_server s{plain};
        FAIL("TLS cases without HTTPS started");
    } catch (const teapot::scenario_error& e) {
        REQUIRE(e.errors().size() == 1);
        CHECK_THAT(e.errors()[0], Catch::Contains("needs-tls.yaml:2:13: tls_cases names TLS case 'expired', which "
                                                  "needs HTTPS"));
    }
}

TEST_CASE("TLS cases: handshake-hang holds until the server stops, without delaying the stop", "[tls]") {
    auto o = tls_options();
    o.tls.cases = true;
    o.shutdown_grace = std::chrono::seconds{30};
    auto s = std::make_unique<test_server>(o);
    const auto hang = case_port(s->srv, "handshake-hang");
    auto failure = handshake_failure(hang, {.ca_pem = s->srv.ca_pem(), .timeout = std::chrono::milliseconds{300}});
    CHECK_THAT(failure, Catch::Contains("timed out"));
    connection held{hang};
    held.send(std::string(100, '\x16'));  // a first flight that never completes
    const auto started = std::chrono::steady_clock::now();
    s.reset();  // stop(): the hang's wait is cancelled, not waited out for the grace period
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds{10});
}

TEST_CASE("TLS cases: the certificate cases by SNI name on the main port, and the main certificate for other names",
          "[tls]") {
    auto o = tls_options();
    o.tls.cases = true;
    test_server s{o};
    // no-san's common name is no-san.localhost there: it passes as by its own port.
    const auto expected = certificate_verdicts();
    for (const auto& [name, reason] : expected) {
        INFO(name);
        const auto failure =
            handshake_failure(s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .server_name = name + ".localhost"});
        if (reason.empty())
            CHECK(failure.empty());
        else
            CHECK_THAT(failure, Catch::Contains(reason));
    }
    // A case that is not about the certificate is not selected by name: the main certificate, for localhost.
    CHECK_THAT(handshake_failure(s.srv.tls_port(), {.ca_pem = s.srv.ca_pem(), .server_name = "tls1.0.localhost"}),
               Catch::Contains("hostname mismatch"));
    // A client that does not verify reaches the case's HTTP, and the journal has the name it sent.
    tls_connection c{s.srv.tls_port(), {.server_name = "EXPIRED.localhost"}};
    c.send(get_request("/status/418"));
    CHECK(c.read_response().status == 418);
    REQUIRE(s.srv.wait_for({}, 1));
    CHECK(s.srv.requests().back().tls->server_name == "EXPIRED.localhost");
    CHECK(fetch_tls(s.srv.tls_port(), s.srv.ca_pem(), "/status/200").status == 200);
}

TEST_CASE("HTTPS: the longest SNI a client may send (255 bytes) is served and journalled whole", "[tls][hostile]") {
    test_server s{tls_options()};
    // Four labels of 63 characters, 255 in all with their dots: the most OpenSSL lets either side
    // send (TLSEXT_MAXLEN_host_name), though RFC 6066 §3's HostName could be longer.
    std::string name(63, 'a');
    for (char c : {'b', 'c', 'd'}) name += "." + std::string(63, c);
    REQUIRE(name.size() == 255);
    tls_connection c{s.srv.tls_port(), {.server_name = name}};  // no verification: the leaf names localhost
    c.send(get_request("/status/418"));
    CHECK(c.read_response().status == 418);
    REQUIRE(s.srv.wait_for({}, 1));
    CHECK(s.srv.requests().back().tls->server_name == name);
}

TEST_CASE("HTTPS: over --max-connections a TLS connection is closed at once, the held ones still served", "[tls]") {
    auto o = tls_options();
    o.request_limits.max_connections = 1;
    test_server s{o};
    tls_connection held{s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()}};
    const auto refused = handshake_failure(s.srv.tls_port(), {.ca_pem = s.srv.ca_pem()});
    CHECK_FALSE(refused.empty());
    held.send(get_request("/status/418"));
    CHECK(held.read_response().status == 418);
}

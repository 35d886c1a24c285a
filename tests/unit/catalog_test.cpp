#include <catch2/catch.hpp>

#include "util/field_syntax.hpp"

#include <teapot/catalog.hpp>

#include <array>
#include <set>
#include <string_view>
#include <utility>

namespace {

// The seed table's 64 codes and names, in its order: the catalogue must match it name for name.
constexpr std::array<std::pair<int, std::string_view>, 64> seed_names{{
    {100, "Continue"},
    {101, "Switching Protocols"},
    {102, "Processing"},
    {103, "Early Hints"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {208, "Already Reported"},
    {226, "IM Used"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Payload Too Large"},
    {414, "Request-URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Requested Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {418, "I'm a teapot"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Entity"},
    {423, "Locked"},
    {424, "Failed Dependency"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {444, "Connection Closed Without Response"},
    {451, "Unavailable For Legal Reasons"},
    {499, "Client Closed Request"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {506, "Variant Also Negotiates"},
    {507, "Insufficient Storage"},
    {508, "Loop Detected"},
    {510, "Not Extended"},
    {511, "Network Authentication Required"},
    {599, "Network Connect Timeout Error"},
}};

}  // namespace

TEST_CASE("the catalogue holds 64 entries, sorted by code and unique", "[catalog]") {
    auto entries = teapot::status_catalog();
    REQUIRE(entries.size() == 64);
    for (std::size_t i = 1; i < entries.size(); ++i) {
        INFO("entry " << i << ": " << entries[i - 1].code << " then " << entries[i].code);
        CHECK(entries[i - 1].code < entries[i].code);
    }
    std::set<int> codes;
    for (const auto& e : entries) codes.insert(e.code);
    CHECK(codes.size() == 64);
    CHECK(entries.front().code == 100);
    CHECK(entries.back().code == 599);
}

TEST_CASE("every catalogue code is a valid status code, 100 to 599", "[catalog]") {
    for (const auto& e : teapot::status_catalog()) {
        INFO("code " << e.code);
        CHECK(e.code >= 100);
        CHECK(e.code <= 599);
    }
}

TEST_CASE("the catalogue's codes and names are the seed table's", "[catalog]") {
    auto entries = teapot::status_catalog();
    REQUIRE(entries.size() == seed_names.size());
    for (std::size_t i = 0; i < seed_names.size(); ++i) {
        INFO("position " << i);
        CHECK(entries[i].code == seed_names[i].first);
        CHECK(entries[i].name == seed_names[i].second);
    }
}

TEST_CASE("find_status finds every listed code and misses the others", "[catalog]") {
    SECTION("hits") {
        const auto* teapot_entry = teapot::find_status(418);
        REQUIRE(teapot_entry != nullptr);
        CHECK(teapot_entry->code == 418);
        CHECK(teapot_entry->name == "I'm a teapot");

        for (auto [code, name] : seed_names) {
            const auto* e = teapot::find_status(code);
            INFO("code " << code);
            REQUIRE(e != nullptr);
            CHECK(e->code == code);
            CHECK(e->name == name);
        }
    }
    SECTION("RFC 9110 names for the common codes") {
        CHECK(teapot::find_status(200)->name == "OK");
        CHECK(teapot::find_status(404)->name == "Not Found");
        CHECK(teapot::find_status(500)->name == "Internal Server Error");
        CHECK(teapot::find_status(101)->name == "Switching Protocols");
        CHECK(teapot::find_status(103)->name == "Early Hints");
        CHECK(teapot::find_status(308)->name == "Permanent Redirect");
        CHECK(teapot::find_status(511)->name == "Network Authentication Required");
    }
    SECTION("non-standard codes from the seed are present") {
        REQUIRE(teapot::find_status(444) != nullptr);
        CHECK(teapot::find_status(444)->name == "Connection Closed Without Response");
        REQUIRE(teapot::find_status(499) != nullptr);
        CHECK(teapot::find_status(499)->name == "Client Closed Request");
        REQUIRE(teapot::find_status(599) != nullptr);
        CHECK(teapot::find_status(599)->name == "Network Connect Timeout Error");
    }
    SECTION("misses") {
        for (int code : {-1, 0, 99, 104, 199, 209, 299, 306, 309, 419, 420, 425, 498, 509, 598, 600, 999, 1000})
            CHECK(teapot::find_status(code) == nullptr);
    }
}

TEST_CASE("every entry has English and French descriptions and a reference", "[catalog]") {
    for (const auto& e : teapot::status_catalog()) {
        INFO("code " << e.code);
        CHECK_FALSE(e.description_en.empty());
        CHECK_FALSE(e.description_fr.empty());
        CHECK_FALSE(e.reference.empty());
        CHECK(e.description_en != e.description_fr);
        // The name goes on the wire as the reason phrase.
        CHECK(teapot::detail::is_reason_phrase(e.name));
    }
}

TEST_CASE("sample descriptions and references", "[catalog]") {
    const auto* e = teapot::find_status(418);
    REQUIRE(e != nullptr);
    CHECK(e->description_fr == "Le serveur refuse la tentative de préparer du café avec une théière");
    CHECK(e->reference.find("RFC 2324") != std::string_view::npos);
    CHECK(teapot::find_status(200)->reference == "RFC 9110 §15.3.1");
    CHECK(teapot::find_status(444)->description_fr == "La connexion s'est ouverte, mais aucune donnée n'a été écrite");
}

TEST_CASE("five categories with English and French names", "[catalog]") {
    auto categories = teapot::status_categories();
    REQUIRE(categories.size() == 5);
    constexpr std::array<std::string_view, 5> labels{"1xx", "2xx", "3xx", "4xx", "5xx"};
    constexpr std::array<std::string_view, 5> english{"Informational", "Successful", "Redirection", "Client error",
                                                      "Server error"};
    constexpr std::array<std::string_view, 5> french{"Demandes d'information", "Demandes réussies", "Redirections",
                                                     "Erreurs client", "Erreurs serveur"};
    for (std::size_t i = 0; i < 5; ++i) {
        INFO("category " << i);
        CHECK(categories[i].first_digit == static_cast<int>(i) + 1);
        CHECK(categories[i].label == labels[i]);
        CHECK(categories[i].name_en == english[i]);
        CHECK(categories[i].name_fr == french[i]);
    }
}

TEST_CASE("category_of covers 100..599 and nothing else", "[catalog]") {
    for (int code : {-100, 0, 1, 99, 600, 601, 999, 1000}) {
        INFO("code " << code);
        CHECK(teapot::category_of(code) == nullptr);
    }
    REQUIRE(teapot::category_of(100) != nullptr);
    CHECK(teapot::category_of(100)->label == "1xx");
    CHECK(teapot::category_of(199)->label == "1xx");
    CHECK(teapot::category_of(200)->label == "2xx");
    CHECK(teapot::category_of(299)->first_digit == 2);
    CHECK(teapot::category_of(302)->label == "3xx");
    CHECK(teapot::category_of(418)->name_en == "Client error");
    CHECK(teapot::category_of(500)->label == "5xx");
    CHECK(teapot::category_of(599)->label == "5xx");
    // Every catalogue entry falls in the category of its first digit.
    for (const auto& e : teapot::status_catalog()) {
        INFO("code " << e.code);
        REQUIRE(teapot::category_of(e.code) != nullptr);
        CHECK(teapot::category_of(e.code)->first_digit == e.code / 100);
    }
}

TEST_CASE("reason_phrase: catalogue names, class-derived names, invalid codes", "[catalog]") {
    CHECK(teapot::reason_phrase(418) == "I'm a teapot");
    CHECK(teapot::reason_phrase(200) == "OK");
    CHECK(teapot::reason_phrase(599) == "Network Connect Timeout Error");
    CHECK(teapot::reason_phrase(150) == "Unknown Informational");
    CHECK(teapot::reason_phrase(299) == "Unknown Success");
    CHECK(teapot::reason_phrase(306) == "Unknown Redirection");
    CHECK(teapot::reason_phrase(420) == "Unknown Client Error");
    CHECK(teapot::reason_phrase(598) == "Unknown Server Error");
    CHECK(teapot::reason_phrase(99) == "Invalid Status");
    CHECK(teapot::reason_phrase(600) == "Invalid Status");
    CHECK(teapot::reason_phrase(-1) == "Invalid Status");
}

// The admin API's scenario endpoints over real sockets: listing what is loaded
// and where each session stands, loading and replacing a scenario at run time,
// removing one, and setting a session's named state.

#include "client.hpp"
#include "scratch_dir.hpp"
#include "test_server.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <string>

using namespace teapot::test;
namespace json = boost::json;

namespace {

// Admin bodies say what they are: the API takes JSON or YAML only (a web page cannot send those unasked).
const std::string as_yaml = "Content-Type: application/yaml\r\n";
const std::string as_json = "Content-Type: application/json\r\n";

json::value json_of(const response& r) { return json::parse(r.body); }

const std::string jobs = R"(name: jobs
isolate_by: header X-Test-Id
seed: 7
routes:
  - id: submit
    match: { method: POST, path: /jobs }
    steps: [{ status: 202, set_state: running }]
  - id: poll
    match: { path: /jobs/1 }
    when_state: running
    limit: { requests: 5, per: 1m }
    steps:
      - { status: 202, times: 2 }
      - { status: 200 }
expect:
  - { route: poll, count: 3 }
)";

response get(std::uint16_t port, const std::string& target, const std::string& session) {
    return fetch(port, target, "X-Test-Id: " + session + "\r\n");
}

const json::object& scenario_named(const json::value& listing, const std::string& name) {
    for (const auto& sc : listing.at("scenarios").as_array())
        if (sc.at("name") == name.c_str()) return sc.as_object();
    FAIL("no scenario " << name << " in " << json::serialize(listing));
    throw std::logic_error("unreachable");
}

const json::object& session_named(const json::object& scenario, const std::string& key) {
    for (const auto& s : scenario.at("sessions").as_array())
        if (s.at("session") == key.c_str()) return s.as_object();
    FAIL("no session " << key << " in " << json::serialize(scenario));
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("admin scenarios: the listing shows routes, seeds, and each session's cursor, state and quota",
          "[admin][scenarios]") {
    scratch_dir dir;
    auto o = test_options();
    o.scenario_paths = {dir.add("jobs.yaml", jobs)};
    test_server s{o};
    CHECK(send_body(s.port(), "POST", "/jobs", "{}", "X-Test-Id: a\r\n").status == 202);
    CHECK(get(s.port(), "/jobs/1", "a").status == 202);

    auto r = fetch(s.port(), "/__teapot/scenarios");
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type") == "application/json");
    const auto listing = json_of(r);
    const auto& sc = scenario_named(listing, "jobs");
    CHECK(sc.at("seed") == 7);
    CHECK(sc.at("isolate_by") == "header X-Test-Id");
    CHECK_THAT(std::string{sc.at("file").as_string()}, Catch::EndsWith("jobs.yaml"));
    const auto& routes = sc.at("routes").as_array();
    REQUIRE(routes.size() == 2);
    CHECK(routes[1].at("id") == "poll");
    CHECK(routes[1].at("when_state") == "running");
    CHECK(routes[1].at("steps") == 2);
    CHECK(routes[1].at("limit").at("requests") == 5);
    CHECK(sc.at("expect").as_array().front() == "{route: poll, count: 3}");

    const auto& a = session_named(sc, "a");
    CHECK(a.at("state") == "running");
    const auto& poll = a.at("routes").as_array()[1];
    CHECK(poll.at("route") == "poll");
    CHECK(poll.at("step") == 1);
    CHECK(poll.at("served") == 1);
    CHECK(poll.at("quota").as_array().front().at("used") == 1);
    CHECK(poll.at("quota").as_array().front().at("resets_in_ms").as_int64() > 0);
    // The global session is listed too, untouched.
    CHECK(session_named(sc, "").at("state").is_null());
}

TEST_CASE("admin scenarios: POST loads a scenario at run time, replaces it, and refuses a broken one",
          "[admin][scenarios]") {
    test_server s;  // no scenario path at all
    CHECK(fetch(s.port(), "/jobs/1", "X-Test-Id: a\r\n").status == 404);

    auto loaded = send_body(s.port(), "POST", "/__teapot/scenarios", jobs, as_yaml);
    CHECK(loaded.status == 201);
    CHECK(loaded.header("Location") == "/__teapot/scenarios/jobs");
    CHECK(json_of(loaded).at("loaded") == "jobs");
    CHECK(json_of(fetch(s.port(), "/__teapot/scenarios")).at("scenarios").as_array().front().at("file").is_null());
    CHECK(send_body(s.port(), "POST", "/jobs", "", "X-Test-Id: a\r\n").status == 202);
    CHECK(get(s.port(), "/jobs/1", "a").status == 202);

    SECTION("a replacement keeps the cursors of unchanged routes and restarts changed ones") {
        std::string changed = jobs;
        changed.replace(changed.find("{ status: 200 }"), 15, "{ status: 201 }");
        auto replaced = send_body(s.port(), "POST", "/__teapot/scenarios", changed, as_yaml);
        CHECK(replaced.status == 200);
        CHECK(json_of(replaced).at("replaced") == true);
        CHECK_THAT(std::string{json_of(replaced).at("changes").as_string()}, Catch::Contains("poll"));
        // The named state carried over; poll changed, so it starts again at its first step.
        CHECK(get(s.port(), "/jobs/1", "a").status == 202);
        CHECK(get(s.port(), "/jobs/1", "a").status == 202);
        CHECK(get(s.port(), "/jobs/1", "a").status == 201);
    }
    SECTION("a broken scenario is a 400 with line and column, and nothing changes") {
        auto broken = send_body(s.port(), "POST", "/__teapot/scenarios",
                                "name: jobs\nroutes:\n  - id: poll\n    stepz: []\n", as_yaml);
        CHECK(broken.status == 400);
        const auto errors = json_of(broken).at("errors").as_array();
        REQUIRE_FALSE(errors.empty());
        bool positioned = false;
        for (const auto& e : errors) positioned = positioned || std::string{e.as_string()}.starts_with("posted:4:5: ");
        CHECK(positioned);
        CHECK(get(s.port(), "/jobs/1", "a").status == 202);  // the scenario still plays, where it stood
        CHECK(get(s.port(), "/jobs/1", "a").status == 200);
    }
    SECTION("text has no directory: body_file is refused") {
        auto r = send_body(s.port(), "POST", "/__teapot/scenarios",
                           "name: files\nroutes: [{ id: r, steps: [{ body_file: /etc/passwd }] }]\n", as_yaml);
        CHECK(r.status == 400);
        CHECK_THAT(r.body, Catch::Contains("body_file needs a scenario file"));
    }
    SECTION("a scenario without a name, or an empty body, is refused") {
        CHECK(
            send_body(s.port(), "POST", "/__teapot/scenarios", "routes: [{ id: r, steps: [{}] }]\n", as_yaml).status ==
            400);
        CHECK(send_body(s.port(), "POST", "/__teapot/scenarios", "", as_yaml).status == 400);
    }
}

TEST_CASE("admin scenarios: DELETE removes a scenario, a file's included", "[admin][scenarios]") {
    scratch_dir dir;
    auto o = test_options();
    o.scenario_paths = {dir.add("jobs.yaml", jobs)};
    test_server s{o};
    CHECK(send_body(s.port(), "POST", "/jobs", "", "X-Test-Id: a\r\n").status == 202);

    auto removed = fetch(s.port(), "/__teapot/scenarios/jobs", {}, "DELETE");
    CHECK(removed.status == 200);
    CHECK(json_of(removed).at("removed") == "jobs");
    CHECK(json_of(fetch(s.port(), "/__teapot/scenarios")).at("scenarios").as_array().empty());
    // Its routes no longer answer: the built-in 404.
    CHECK(send_body(s.port(), "POST", "/jobs", "", "X-Test-Id: a\r\n").status == 404);
    CHECK(fetch(s.port(), "/__teapot/scenarios/jobs", {}, "DELETE").status == 404);
    // Loading it again brings it back, fresh.
    CHECK(send_body(s.port(), "POST", "/__teapot/scenarios", jobs, as_yaml).status == 201);
    CHECK(send_body(s.port(), "POST", "/jobs", "", "X-Test-Id: a\r\n").status == 202);
}

TEST_CASE("admin scenarios: PUT .../state sets one session's named state", "[admin][scenarios]") {
    test_server s;
    REQUIRE(send_body(s.port(), "POST", "/__teapot/scenarios", jobs, as_yaml).status == 201);
    CHECK(get(s.port(), "/jobs/1", "a").status == 404);  // poll needs the state running

    auto set =
        send_body(s.port(), "PUT", "/__teapot/scenarios/jobs/state?session=a", R"({"state": "running"})", as_json);
    CHECK(set.status == 200);
    CHECK(json_of(set).at("state") == "running");
    CHECK(get(s.port(), "/jobs/1", "a").status == 202);
    CHECK(get(s.port(), "/jobs/1", "b").status == 404);  // another session: still unset

    CHECK(
        send_body(s.port(), "PUT", "/__teapot/scenarios/jobs/state?session=a", R"({"state": null})", as_json).status ==
        200);
    CHECK(get(s.port(), "/jobs/1", "a").status == 404);

    CHECK(send_body(s.port(), "PUT", "/__teapot/scenarios/nope/state?session=a", R"({"state": "x"})", as_json).status ==
          404);
    CHECK(send_body(s.port(), "PUT", "/__teapot/scenarios/jobs/state", "running", as_json).status == 400);
    CHECK(send_body(s.port(), "PUT", "/__teapot/scenarios/jobs/state", R"({"state": 3})", as_json).status == 400);
    CHECK(
        send_body(s.port(), "PUT", "/__teapot/scenarios/jobs/state?colour=red", R"({"state": "x"})", as_json).status ==
        400);
    CHECK(fetch(s.port(), "/__teapot/scenarios/jobs/state").status == 405);
    CHECK(fetch(s.port(), "/__teapot/scenarios/jobs/other", {}, "PUT").status == 404);
}

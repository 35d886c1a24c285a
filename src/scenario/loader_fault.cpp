// Faults, body pacing and delay distributions of a step, and whether a fault
// can be honoured with the rest of the step. Part of the loader; see file_loader.hpp.

#include "faults/fault_fit.hpp"
#include "faults/fault_syntax.hpp"
#include "handlers/status_handler.hpp"
#include "scenario/file_loader.hpp"
#include "util/duration.hpp"
#include "util/whole_number.hpp"

#include <cmath>

namespace teapot::detail::scenario {
namespace {

constexpr std::string_view fault_expected =
    "a fault: reset, close, hang, bad-chunk or early-response, or a mapping of one of {hang: 30s}, "
    "{garbage: 64B}, {truncate: 100B} (with end: reset), {wrong_length: +100}, {slow_headers: 1B/100ms}, or over "
    "HTTP/2 {rst_stream: REFUSED_STREAM}, {goaway: NO_ERROR}, {flow_stall: 5s}, {continuation: 9}, {ping: 3}, "
    "{tiny_window: 100B}, {max_streams: 1}, unknown_frame, table_size_update, settings_no_ack";

// What a fault that sends no response cannot honour.
constexpr std::string_view response_keys[] = {"status",    "reason",  "headers", "body",    "json",
                                              "body_file", "interim", "stream",  "template"};

}  // namespace

void file_loader::parse_delay(const field& f, step& s) {
    static constexpr std::string_view expected =
        "a duration such as 250ms, or {uniform: [100ms, 300ms]}, or {lognormal: {median: 80ms, sigma: 0.4, max: 2s}}";
    s.random_delay.reset();
    if (f.value.IsScalar()) {
        auto d = parse_duration(f.value.Scalar());
        if (!d) return error(f, expected);
        s.delay = *d;
        return;
    }
    if (!f.value.IsMap() || f.value.size() != 1) return error(f, expected);
    delay_spec spec;
    bool ok = true;
    auto duration_of = [&](const YAML::Node& node, std::string label) -> std::chrono::milliseconds {
        auto d = node.IsScalar() ? parse_duration(node.Scalar()) : std::nullopt;
        if (!d) {
            error(field{std::move(label), node, node.Mark()}, "a duration such as 80ms or 2s");
            ok = false;
            return {};
        }
        return *d;
    };
    for_each_entry(
        f.value, "'delay'", delay_keys, [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
            field sub = make_field(quote(name), key, value);
            if (name == "fixed") {
                spec.value = duration_of(value, "'fixed'");
            } else if (name == "uniform") {
                if (!value.IsSequence() || value.size() != 2) {
                    ok = false;
                    return error(sub, "a list of two durations, such as [100ms, 300ms]");
                }
                spec.how = delay_spec::kind::uniform;
                spec.low = duration_of(value[0], "the low bound of 'uniform'");
                spec.high = duration_of(value[1], "the high bound of 'uniform'");
            } else if (name == "lognormal") {
                if (!value.IsMap()) {
                    ok = false;
                    return error(sub, "a mapping with keys: median, sigma, max");
                }
                spec.how = delay_spec::kind::lognormal;
                bool has_median = false, has_sigma = false, has_max = false;
                for_each_entry(value, "'lognormal'", lognormal_keys,
                               [&](const std::string& n, const YAML::Node& k, const YAML::Node& v) {
                                   if (n == "median") {
                                       has_median = true;
                                       spec.median = duration_of(v, "'median'");
                                   } else if (n == "max") {
                                       has_max = true;
                                       spec.max = duration_of(v, "'max'");
                                   } else {
                                       has_sigma = true;
                                       auto sigma = v.IsScalar() ? parse_whole<double>(v.Scalar()) : std::nullopt;
                                       if (!sigma) {
                                           ok = false;
                                           return error(make_field("'sigma'", k, v), "a number such as 0.4");
                                       }
                                       spec.sigma = *sigma;
                                   }
                               });
                if (!has_median || !has_sigma || !has_max) {
                    ok = false;
                    error(sub.mark,
                          "'lognormal' needs median, sigma and max, such as "
                          "{median: 80ms, sigma: 0.4, max: 2s}");
                }
            }
        });
    if (!ok) return;
    std::string why;
    if (!valid_delay_spec(spec, why)) return error(f.mark, "in 'delay': " + why);
    if (spec.random())
        s.random_delay = spec;
    else
        s.delay = spec.value;
}

void file_loader::parse_fault(const field& f, step& s) {
    std::string why;
    std::optional<fault> parsed;
    if (f.value.IsScalar()) {
        parsed = parse_fault_knob(f.value.Scalar(), why);
    } else if (f.value.IsMap()) {
        // {name: value}, and for truncate an optional end: close | reset.
        std::optional<std::string> name, value;
        bool reset_at_end = false, has_end = false;
        for_each_pair(f.value, "'fault'", [&](const std::string& key_name, const YAML::Node& key, const YAML::Node& v) {
            if (key_name == "end") {
                has_end = true;
                auto end = v.IsScalar() ? std::optional<std::string>{v.Scalar()} : std::nullopt;
                if (end == "reset")
                    reset_at_end = true;
                else if (end != "close")
                    error(make_field("'end'", key, v), "close or reset");
                return;
            }
            if (name) return error(key.Mark(), "a fault names one fault; expected a single key besides 'end'");
            name = key_name;
            if (v.IsScalar())
                value = v.Scalar();
            else
                error(make_field(quote(key_name), key, v), "a scalar value such as 30s, 64B or +100");
        });
        if (!name) return error(f, fault_expected);
        if (!value) return;
        parsed = detail::parse_fault(*name, *value, why);
        if (parsed && has_end && parsed->what != fault::kind::truncate)
            return error(f.mark, "'end' applies to the truncate fault only");
        if (parsed) parsed->reset_at_end = reset_at_end;
    } else {
        return error(f, fault_expected);
    }
    if (!parsed) return error(f.mark, "in 'fault': " + why);
    s.fault = *parsed;
}

void file_loader::parse_stream(const field& f, step& s) {
    static constexpr std::string_view expected =
        "body pacing: {chunk: 256B, every: 100ms}, {rate: 2KB/s}, or 256B/100ms";
    std::string why;
    if (f.value.IsScalar()) {
        auto p = parse_pacing(f.value.Scalar(), why);
        if (!p) return error(f.mark, "in 'stream': " + why);
        s.stream = *p;
        return;
    }
    if (!f.value.IsMap()) return error(f, expected);
    std::optional<std::string> chunk, every, rate;
    for_each_entry(f.value, "'stream'", stream_keys,
                   [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                       if (!value.IsScalar()) return error(make_field(quote(name), key, value), "a scalar");
                       (name == "chunk" ? chunk : name == "every" ? every : rate) = value.Scalar();
                   });
    std::optional<pacing> p;
    if (rate && !chunk && !every)
        p = parse_rate(*rate, why);
    else if (chunk && every && !rate)
        p = parse_pacing(*chunk + "/" + *every, why);
    else
        return error(f.mark, "'stream' takes either chunk and every, or rate alone");
    if (!p) return error(f.mark, "in 'stream': " + why);
    s.stream = *p;
}

void file_loader::check_fault_fit(const step& s, const step_sources& sources, step_place place) {
    if (!s.fault.active() && !s.stream) return;
    auto report = [&](std::string message) {
        if (sources.fault)
            error(*sources.fault, std::move(message));
        else
            errors_.push_back({s.where, std::move(message)});
    };
    const std::string name{fault_name(s.fault.what)};
    if (s.fault.sends_no_response()) {
        for (auto key : response_keys) {
            if (std::find(sources.keys.begin(), sources.keys.end(), key) == sources.keys.end()) continue;
            std::string message = "fault ";
            message.append(name).append(" sends no response, so ").append(quote(std::string{key}));
            message.append(" cannot be honoured; expected the fault alone (a delay may come first)");
            return report(std::move(message));
        }
    }
    // Answered before the request body is read: the answer must be known from the head alone.
    if (s.fault.what == fault::kind::early_response && place == step_place::alternative)
        return report(
            "fault early-response cannot be drawn by one_of: the answer must be known before the request "
            "body is read; expected it on a plain step");
    if (s.fault.sends_no_response()) return;
    // The rest depends on the response: build it as a GET would get it.
    request probe;
    probe.method = "GET";
    probe.target = "/";
    status_knobs knobs;
    knobs.reason = s.reason;
    knobs.headers = s.headers;
    knobs.body = s.body;
    knobs.content_type = s.content_type;
    auto plan = plan_for_code(probe, s.status, knobs);
    plan.fault = s.fault;
    plan.stream = s.stream;
    // A templated body's size is known per request: the writer keeps one byte short of it at most.
    if (auto kept = s.fault.kept_bytes(); s.templated && s.body && kept) plan.body = std::string(*kept + 1, ' ');
    if (auto misfit = fault_misfit(plan); !misfit.empty()) report(std::move(misfit));
}

}  // namespace teapot::detail::scenario

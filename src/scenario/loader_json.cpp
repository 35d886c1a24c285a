#include "scenario/loader_json.hpp"
#include "util/whole_number.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace teapot::detail::scenario {
namespace {

// Deep enough for any real payload; a recursive alias (`&a [*a]`) stops here
// instead of overflowing the stack.
constexpr int max_depth = 64;
// Aliases are shared by yaml-cpp but copied into JSON: a "billion laughs"
// file of a few lines would otherwise exhaust memory at load.
constexpr std::size_t max_nodes = 100'000;

constexpr std::string_view yaml_str_tag = "tag:yaml.org,2002:str";

bool all_of(std::string_view s, std::string_view allowed) {
    return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}

// YAML 1.2 core schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool is_core_float(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t int_digits = 0, frac_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
    }
    if (int_digits == 0 && frac_digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        std::size_t exp_digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
        if (exp_digits == 0) return false;
    }
    return i == s.size();
}

class converter {
public:
    explicit converter(std::vector<yaml_json_error>& errors) : errors_(errors) {}

    boost::json::value convert(const YAML::Node& node, int depth) {
        if (stopped_) return nullptr;
        if (++nodes_ > max_nodes) {
            fail(node, "this json value is too large (more than 100000 nodes after expanding aliases)");
            stopped_ = true;
            return nullptr;
        }
        if (depth > max_depth) {
            fail(node, "this json value is nested too deeply (more than 64 levels, or a recursive alias)");
            stopped_ = true;
            return nullptr;
        }
        switch (node.Type()) {
            case YAML::NodeType::Map: return object(node, depth);
            case YAML::NodeType::Sequence: {
                boost::json::array out;
                for (const auto& item : node) {
                    out.push_back(convert(item, depth + 1));
                    if (stopped_) break;
                }
                return out;
            }
            case YAML::NodeType::Scalar: return scalar(node);
            case YAML::NodeType::Null:
            case YAML::NodeType::Undefined: return nullptr;
        }
        return nullptr;
    }

private:
    boost::json::value object(const YAML::Node& node, int depth) {
        boost::json::object out;
        for (auto it = node.begin(); it != node.end() && !stopped_; ++it) {
            const YAML::Node key = it->first;
            if (!key.IsScalar()) {
                fail(key, "a json object key must be a string, not a mapping, sequence or null");
                continue;
            }
            const std::string& name = key.Scalar();
            if (out.contains(name)) {
                std::string message = "duplicate key '";
                message.append(name).append("' in a json object");
                fail(key, std::move(message));
                continue;
            }
            out.emplace(name, convert(it->second, depth + 1));
        }
        return out;
    }

    boost::json::value scalar(const YAML::Node& node) {
        const std::string& text = node.Scalar();
        const std::string& tag = node.Tag();
        // yaml-cpp tags a quoted scalar "!": it is a string whatever it looks like.
        if (tag == "!" || tag == yaml_str_tag) return boost::json::string(text);
        if (tag != "?") {
            std::string message = "the YAML tag '";
            message.append(tag).append("' is not supported in json; write the value plainly, or quote it for a string");
            fail(node, std::move(message));
            return nullptr;
        }
        std::string_view s = text;
        if (s == "true" || s == "True" || s == "TRUE") return true;
        if (s == "false" || s == "False" || s == "FALSE") return false;
        if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;

        std::string_view digits = s;
        bool negative = false;
        if (digits.front() == '+' || digits.front() == '-') {
            negative = digits.front() == '-';
            digits.remove_prefix(1);
        }
        if (all_of(digits, "0123456789")) return integer(node, s, digits, negative);
        if (s.starts_with("0x") && all_of(s.substr(2), "0123456789abcdefABCDEF")) return radix(node, s.substr(2), 16);
        if (s.starts_with("0o") && all_of(s.substr(2), "01234567")) return radix(node, s.substr(2), 8);
        if (is_core_float(s)) {
            // from_chars does not take a leading '+'.
            if (auto value = parse_whole<double>(s.front() == '+' ? s.substr(1) : s)) return *value;
            fail(node, "this number is out of range for json; quote it for a string");
            return nullptr;
        }
        std::string_view unsigned_s = (s.front() == '+' || s.front() == '-') ? s.substr(1) : s;
        if (unsigned_s == ".inf" || unsigned_s == ".Inf" || unsigned_s == ".INF" || s == ".nan" || s == ".NaN" ||
            s == ".NAN") {
            fail(node, "json has no infinity or NaN; quote the value for a string");
            return nullptr;
        }
        return boost::json::string(text);
    }

    boost::json::value integer(const YAML::Node& node, std::string_view s, std::string_view digits, bool negative) {
        if (auto value = parse_whole<std::int64_t>(s.front() == '+' ? s.substr(1) : s)) return *value;
        if (auto big = parse_whole<std::uint64_t>(digits); big && !negative) return *big;
        fail(node, "this integer does not fit in 64 bits; quote it for a string");
        return nullptr;
    }

    boost::json::value radix(const YAML::Node& node, std::string_view digits, int base) {
        const auto parsed = parse_whole<std::uint64_t>(digits, base);
        if (!parsed) {
            fail(node, "this integer does not fit in 64 bits; quote it for a string");
            return nullptr;
        }
        const auto value = *parsed;
        if (value <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return static_cast<std::int64_t>(value);
        return value;
    }

    void fail(const YAML::Node& node, std::string message) { errors_.push_back({node.Mark(), std::move(message)}); }

    std::vector<yaml_json_error>& errors_;
    std::size_t nodes_ = 0;
    bool stopped_ = false;
};

}  // namespace

boost::json::value yaml_to_json(const YAML::Node& node, std::vector<yaml_json_error>& errors) {
    std::size_t before = errors.size();
    boost::json::value out = converter{errors}.convert(node, 0);
    if (errors.size() != before) return nullptr;
    return out;
}

}  // namespace teapot::detail::scenario

#include "scenario/route_fingerprint.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/beast/core/detail/sha1.hpp>

#include <array>
#include <functional>
#include <string_view>

namespace teapot::detail::scenario {
namespace {

// A route's canonical text goes through SHA-1 as it is written: the text can be as large as the
// tree its aliases resolve to (32 MiB), and a reload only compares fingerprints for equality.
class canonical_digest {
public:
    canonical_digest() { boost::beast::detail::init(context_); }

    canonical_digest& append(std::string_view text) {
        pending_.append(text);
        if (pending_.size() >= 64 * 1024) flush();
        return *this;
    }

    /// The digest in hex; the object is spent afterwards.
    std::string finish() {
        flush();
        std::array<unsigned char, boost::beast::detail::sha1_context::digest_size> digest{};
        boost::beast::detail::finish(context_, digest.data());
        static constexpr char hex[] = "0123456789abcdef";
        std::string out;
        for (unsigned char byte : digest) out.append({hex[byte >> 4], hex[byte & 0xf]});
        return out;
    }

private:
    void flush() {
        boost::beast::detail::update(context_, pending_.data(), pending_.size());
        pending_.clear();
    }

    boost::beast::detail::sha1_context context_{};
    std::string pending_;
};

// The node's content, whatever its layout: flow and block styles write the same,
// comments vanish. A scalar keeps its tag, so "1" (quoted) and 1 stay apart.
// Bounded like json values (a recursive alias would never end): past the bounds
// the route is an error anyway, and its fingerprint just stops there.
void append_canonical(const YAML::Node& node, canonical_digest& out, int depth, std::size_t& budget) {
    if (depth > 64 || budget == 0) {
        out.append("...");
        return;
    }
    --budget;
    switch (node.Type()) {
        case YAML::NodeType::Scalar:
            out.append(node.Tag()).append(std::to_string(node.Scalar().size())).append(":").append(node.Scalar());
            return;
        case YAML::NodeType::Sequence:
            out.append("[");
            for (const auto& item : node) {
                append_canonical(item, out, depth + 1, budget);
                out.append(",");
            }
            out.append("]");
            return;
        case YAML::NodeType::Map:
            out.append("{");
            for (const auto& entry : node) {
                append_canonical(entry.first, out, depth + 1, budget);
                out.append("=");
                append_canonical(entry.second, out, depth + 1, budget);
                out.append(",");
            }
            out.append("}");
            return;
        default: out.append("~"); return;
    }
}

void add_body_hashes(const step& st, canonical_digest& out) {
    if (st.body) out.append(" ").append(std::to_string(std::hash<std::string_view>{}(st.body->view())));
    for (const auto& alt : st.one_of) add_body_hashes(alt.answer, out);
}

}  // namespace

std::string fingerprint_of(const YAML::Node& node, const route& r) {
    canonical_digest out;
    std::size_t budget = 200'000;  // nodes: twice what json values may hold
    append_canonical(node, out, 0, budget);
    out.append(" bodies:");
    for (const auto& st : r.steps) add_body_hashes(st, out);
    if (r.limit) add_body_hashes(r.limit->reject, out);
    return out.finish();
}

}  // namespace teapot::detail::scenario

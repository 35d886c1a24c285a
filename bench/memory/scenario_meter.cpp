// What a loaded scenario takes on the heap against what the loader charges it
// (scenario::resolved_bytes, counted against --max-scenario-bytes). Loads a file
// N times, keeping a copy of each scenario and dropping what the load returned, as
// the registry hands the player its copy (exact capacities, bodies shared), and
// reads glibc's allocated bytes before and after.
//
//   g++ -std=c++20 -O1 -Isrc -Iinclude bench/memory/scenario_meter.cpp build/libteapot.a \
//       -lyaml-cpp -lboost_json -lboost_url -lpthread -o /tmp/scenario_meter
//   /tmp/scenario_meter FILE.yaml [copies]

#include "scenario/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace sc = teapot::detail::scenario;

namespace {

struct tree_size {
    std::size_t nodes = 0, bytes = 0;
};

// The resolved tree, walked plainly (the shapes have no cycles).
void walk(const YAML::Node& n, tree_size& s) {
    ++s.nodes;
    if (n.IsScalar()) {
        s.bytes += n.Scalar().size();
    } else if (n.IsSequence()) {
        for (const auto& c : n) walk(c, s);
    } else if (n.IsMap()) {
        for (const auto& e : n) {
            walk(e.first, s);
            walk(e.second, s);
        }
    }
}

std::size_t heap_in_use() {
    const auto m = mallinfo2();
    return m.uordblks + m.hblkhd;  // small chunks and mmapped ones
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    std::ifstream in{argv[1]};
    std::stringstream text;
    text << in.rdbuf();
    const int copies = argc > 2 ? std::atoi(argv[2]) : 3;
    tree_size tree;
    walk(YAML::Load(text.str()), tree);
    std::vector<sc::scenario> kept;
    kept.reserve(static_cast<std::size_t>(copies));
    malloc_trim(0);
    const auto before = heap_in_use();
    for (int i = 0; i < copies; ++i) {
        auto loaded = sc::load_scenario_text(text.str(), argv[1], std::nullopt);
        if (!loaded.ok()) {
            std::fprintf(stderr, "%s\n", loaded.errors.front().to_string().c_str());
            return 1;
        }
        kept.push_back(loaded.scenarios.front());
    }
    const double per_copy = static_cast<double>(heap_in_use() - before) / copies;
    const auto charged = kept.front().resolved_bytes;
    std::printf(
        "%s: text %zu B, %zu nodes, %zu scalar bytes; charged %zu B; a copy takes %.0f B (%.3f of the charge)\n",
        argv[1], text.str().size(), tree.nodes, tree.bytes, charged, per_copy, per_copy / static_cast<double>(charged));
}

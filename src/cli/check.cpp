#include "cli/check.hpp"

#include "scenario/loader.hpp"
#include "scenario/registry.hpp"
#include "tls/cases.hpp"

namespace teapot::cli {

int check_scenarios(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err) {
    auto loaded = detail::scenario::load_scenario_paths(paths);
    if (loaded.ok()) {
        loaded.errors = detail::scenario::tls_case_errors(loaded.scenarios, detail::tls::tls_case_names(), nullptr);
    }
    if (!loaded.ok()) {
        for (const auto& e : loaded.errors) err << e.to_string() << "\n";
        err << loaded.errors.size() << (loaded.errors.size() == 1 ? " error\n" : " errors\n");
        return 1;
    }
    std::size_t routes = 0;
    for (const auto& s : loaded.scenarios) routes += s.routes.size();
    out << "ok: " << loaded.scenarios.size() << (loaded.scenarios.size() == 1 ? " scenario, " : " scenarios, ")
        << routes << (routes == 1 ? " route\n" : " routes\n");
    return 0;
}

}  // namespace teapot::cli

#include "cli/codes_table.hpp"

#include <teapot/catalog.hpp>

namespace teapot::cli {

void print_codes(std::ostream& out) {
    for (const auto& category : status_categories()) {
        out << category.label << "  " << category.name_en << "\n";  // one language: the descriptions are English
        for (const auto& e : status_catalog()) {
            if (e.code / 100 != category.first_digit) continue;
            std::string name{e.name};
            name.resize(std::max<std::size_t>(name.size(), 34), ' ');
            out << "  " << e.code << "  " << name << "  " << e.description_en << "\n";
        }
    }
}

}  // namespace teapot::cli

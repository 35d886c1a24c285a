#pragma once
// The status catalogue: every code teapot knows by name, as one table.
// Everything else (the reason phrase on the wire, /codes, the index page,
// `teapot codes`) reads it; nothing else hard-codes a name.

#include <span>
#include <string_view>

namespace teapot {

/// The five classes of RFC 9110 §15, with their English and French names.
struct status_category {
    int first_digit;           ///< 1 to 5
    std::string_view label;    ///< "1xx"
    std::string_view name_en;  ///< "Informational"
    std::string_view name_fr;  ///< "Demandes d'information"
};

/// One code of the catalogue.
struct status_entry {
    int code;
    std::string_view name;  ///< reason phrase sent on the wire
    std::string_view description_en;
    std::string_view description_fr;
    std::string_view reference;  ///< where the code is defined, e.g. "RFC 9110 §15.3.1"
};

/// All catalogue entries, sorted by code.
std::span<const status_entry> status_catalog() noexcept;

/// The entry for `code`, or nullptr when the catalogue lacks it.
const status_entry* find_status(int code) noexcept;

/// The five categories, 1xx first.
std::span<const status_category> status_categories() noexcept;

/// The category of a code in 100..599; nullptr outside that range.
const status_category* category_of(int code) noexcept;

/// The reason phrase for any code in 100..599: the catalogue name, or a
/// phrase derived from the class ("Unknown Client Error") when it lacks one.
std::string_view reason_phrase(int code) noexcept;

}  // namespace teapot

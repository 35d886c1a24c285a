#pragma once
// httpbin's arguments as its Python reads them: request.args through its
// CaseInsensitiveDict (the first value of a name, any case), and int() and
// float() of a value, which accept more than C does (blanks, "_", "inf").

#include "plan/request.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

/// The first value of the query parameter `name` (case-insensitive), or nullptr.
const std::string* first_arg(const std::vector<query_param>& params, std::string_view name);

/// Python's str.isspace() on ASCII: space, \t, \n, \r, \f, \v (what str.strip() and str.split() drop).
bool is_python_blank(char c) noexcept;

/// Python's str.strip().
std::string_view python_strip(std::string_view s) noexcept;

/// Werkzeug's int converter on a path segment: digits only (no sign, no blank), as text without
/// its leading zeros ("007" is "7", "000" is "0"): a Python int has no size limit.
std::optional<std::string_view> werkzeug_digits(std::string_view segment) noexcept;

/// The same as a number, clamped to `cap` (anything larger is alike to the endpoint).
std::optional<std::size_t> werkzeug_count(std::string_view segment, std::size_t cap) noexcept;

/// Python's int(): blanks around, a sign, digits with single "_" between them; nullopt for
/// what it refuses. Clamped to ±10^9: anything larger is out of every range alike.
std::optional<long long> python_int(std::string_view text);

/// Python's float(): blanks around, a sign, a decimal or exponent form, inf, nan; nullopt
/// for what it refuses.
std::optional<double> python_float(std::string_view text);

}  // namespace teapot::detail::httpbin

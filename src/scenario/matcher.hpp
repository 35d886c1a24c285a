#pragma once
// Whether a request matches a route's `match:` (placeholder; see player.hpp).
#include "scenario/model.hpp"

#include "scenario/matcher.hpp"

#include "scenario/loader.hpp"

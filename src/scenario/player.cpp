#include "scenario/player.hpp"

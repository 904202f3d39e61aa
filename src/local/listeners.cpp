#include "local/listeners.hpp"

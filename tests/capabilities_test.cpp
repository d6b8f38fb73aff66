// placeholder, filled below
#include <doctest/doctest.h>

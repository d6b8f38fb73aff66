// Hostile input: the bad-input catalogue (placeholder).
#include <doctest/doctest.h>

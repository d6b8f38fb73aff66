// The decoding checker (decoding.hpp) inside a doctest test case: each property it checks is
// one assertion of the running test case, its failure message naming the property, the
// decoding that breached it and the input.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/decoding.hpp"

namespace vtinput::test {

inline void doctest_expect(bool ok, const std::string& failure) { CHECK_MESSAGE(ok, failure); }

// check_decoding, reporting to doctest; returns the whole input's events.
inline std::vector<Event> check_decoding(std::string_view input, const Setup& setup = {}, const Plan& plan = {},
                                         const std::vector<Event>* want = nullptr)
{
    return check_decoding(input, setup, plan, doctest_expect, want);
}

}  // namespace vtinput::test

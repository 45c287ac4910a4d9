// fuzz/fuzz_property.hpp: how a fuzz target states a property of the code under test.
#pragma once

#include <cstdio>
#include <cstdlib>

// Aborts with the broken property named, so libFuzzer (or the corpus replay) reports the input.
inline void require(bool holds, const char* property) {
  if (!holds) {
    std::fprintf(stderr, "property broken: %s\n", property);
    std::abort();
  }
}

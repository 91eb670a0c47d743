// Failure reporting for KSIM_ASSERT.
#include "engine/assert.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace kafkasim {

AssertContext& CurrentAssertContext() {
  thread_local AssertContext context;
  return context;
}

void AssertFail(const char* file, int line, const char* expr, const std::string& detail) {
  // What the run printed so far (the narrated timeline) comes out before the report.
  std::cout.flush();
  std::fflush(stdout);
  const AssertContext& c = CurrentAssertContext();
  std::fprintf(stderr, "kafkasim: invariant violated at %s:%d: %s\n", file, line, expr);
  if (!detail.empty()) std::fprintf(stderr, "  %s\n", detail.c_str());
  if (c.active) {
    std::fprintf(stderr, "  seed=%llu event=%llu t=%lldns\n",
                 static_cast<unsigned long long>(c.seed),
                 static_cast<unsigned long long>(c.event_index), static_cast<long long>(c.time_ns));
  }
  std::fflush(stderr);
  std::abort();
}

}  // namespace kafkasim

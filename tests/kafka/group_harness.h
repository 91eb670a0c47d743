// A group coordinator core driven by hand, as a host would drive it: request ids, the virtual
// clock, the answers taken one by one and the timers fired on the way. Shared by the classic
// and the KIP-848 protocol tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kafka/group_coordinator.h"

namespace kafkasim::kafka::testing {

struct GroupHarness {
  // "my-group" lives on __consumer_offsets-12 (kafka-semantics.md 4.2).
  static constexpr std::int32_t kPartition = 12;

  GroupCoordinator coordinator{kPartition, GroupCoordinatorSettings{}, 7};
  Time now{};
  GroupRequestId next_id = 1;
  GroupCoordinatorReady ready;
  // With keep_log, every record written moves from `ready` to `log` as each answer is taken
  // and after each Advance (the protocol tests replay it); else records stay in `ready`.
  bool keep_log = false;
  std::vector<GroupRecord> log;

  // The response to `id`, removed from the ready; fails the test when absent.
  GroupResponse Take(GroupRequestId id) {
    for (auto it = ready.responses.begin(); it != ready.responses.end(); ++it) {
      if (it->request_id != id) continue;
      GroupResponse r = *it;
      ready.responses.erase(it);
      Flush();
      return r;
    }
    FAIL("no response to request " << id);
    return {};
  }
  // As a host does: a Tick at each deadline on the way.
  void Advance(Duration d) {
    const Time target = now + d;
    for (auto next = coordinator.NextDeadline(); next && *next <= target;
         next = coordinator.NextDeadline()) {
      now = std::max(now, *next);
      coordinator.Tick(now, ready);
    }
    now = target;
    Flush();
  }
  void Flush() {
    if (!keep_log) return;
    log.insert(log.end(), ready.records.begin(), ready.records.end());
    ready.records.clear();
  }
};

}  // namespace kafkasim::kafka::testing

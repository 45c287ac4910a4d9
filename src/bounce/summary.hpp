// bounce/summary.hpp: bounces grouped by provider and reason, and the owners' alert about
// the sender-side ones.
//
// Owns: the grouping `cqlist bounces` prints and the owners' summary mail is written from
// (one group per provider and reason, with counts, the members affected, one example of what
// the receiver said, and the advice key), and the text of that summary. Sending it, at most
// once per bounce_alert_period, is BounceProcessor::send_due_alert (alerts.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "list/notices_text.hpp"
#include "store/store.hpp"

namespace cqlist::bounce {

struct BounceGroup {
  std::string provider;  // the classifier's name, else the remote host, else "unknown"
  std::string reason;    // "authfailure", "userunknown", ... ("unknown" when empty)
  std::string side;
  std::string advice;
  std::size_t count = 0;
  std::set<std::string> members;
  std::string example;  // the latest diagnostic (or status) of the group
  store::Clock::time_point first;
  store::Clock::time_point last;
};

// Groups, most bounces first (then by provider and reason, so the order is stable).
std::vector<BounceGroup> group_bounces(std::span<const store::BounceRow> rows);

struct AlertMail {
  std::string subject;
  std::string body;  // lines ended by '\n'
};

// The owners' summary of sender-side `groups` received since `since`.
AlertMail sender_alert(list::Language language, const store::ListRow& list,
                       std::span<const BounceGroup> groups, store::Clock::time_point since,
                       std::chrono::seconds period);

}  // namespace cqlist::bounce

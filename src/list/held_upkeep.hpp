// list/held_upkeep.hpp: what happens to held posts that nobody decides.
//
// Owns: discarding held posts older than the list's held_expiry, and the daily reminder that
// tells the moderators (the owners when there are none, as the hold notice does) which posts
// are still waiting, like Mailman's max_days_to_hold and its "N requests waiting" mail. It runs
// from `cqlist serve`'s minute timer and from `cqlist held expire` (cron, without the daemon).
//
// An expired post is discarded through decide_held, as `cqlist held discard` does, and the
// poster is not told: the sender of a held post is often forged, and a notice would be
// backscatter to a stranger.
//
// The reminder goes out at most once per UTC day per list, and only once some post has waited
// a whole day: a fresher post's hold notice has just told the moderators. The day of the last
// reminder is kept in REMINDER_DIR/LIST@DOMAIN, written durably after the reminder is queued,
// so a restart does not send a second one the same day; a crash between the two can repeat a
// reminder but never lose one.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "list/commands.hpp"
#include "store/store.hpp"

namespace cqlist::list {

// Where the days of the last reminders live, under the data directory.
inline std::filesystem::path held_reminder_dir(const std::filesystem::path& data_dir) {
  return data_dir / "held-reminders";
}

struct ExpiredHeld {
  std::string list;  // address
  store::Id id = 0;
  std::string sender;
  std::string subject;
  std::chrono::seconds age{0};  // how long it had waited
};

struct HeldReminder {
  std::string list;             // address
  std::size_t waiting = 0;      // posts it lists
  std::vector<std::string> to;  // moderators, or owners
  std::string outbox_id;
};

// A list whose upkeep failed; the other lists went on (already logged).
struct HeldUpkeepProblem {
  std::string list;  // address
  Error error;
};

struct HeldUpkeepReport {
  std::vector<ExpiredHeld> expired;
  std::vector<HeldReminder> reminders;
  std::vector<HeldUpkeepProblem> problems;
};

// Discards every expired held post of every list (or of `list_id` alone), then queues the
// reminders that are due at `now`. Fails only when the lists cannot be read.
Result<HeldUpkeepReport> upkeep_held(CommandDeps& deps, const std::filesystem::path& reminder_dir,
                                     std::optional<store::Id> list_id,
                                     std::chrono::system_clock::time_point now);

}  // namespace cqlist::list

// store/store.hpp: what cqlist keeps about lists, members, posts and deliveries.
//
// Owns: the storage interface and its row types. Two implementations share it (SQLite, the
// embedded default in the data directory; PostgreSQL later) and pass one conformance suite.
// Message bytes are not here: the spool and the article archive are files (list/archive);
// rows point at them.
//
// The store knows no list policy. List settings are opaque key/value strings that list/
// settings.hpp types, validates and documents; addresses are stored as given by list/ (which
// normalises them) and compared case-insensitively in the domain and as written in the local
// part, except where a method says otherwise.
//
// Every method is one transaction: it either happens completely or not at all, so a crash at
// any moment loses no member and no post (SQLite in WAL mode with synchronous=FULL).
// Implementations are safe to use from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cqlist::store {

using Clock = std::chrono::system_clock;
using Id = std::int64_t;

enum class Role { member, moderator, owner };
enum class DeliveryMode { regular, digest, nomail };

// "member", "moderator", "owner"; parse_role() accepts them in any case.
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view text);
// "regular", "digest", "nomail".
std::string_view delivery_mode_name(DeliveryMode mode);
std::optional<DeliveryMode> parse_delivery_mode(std::string_view text);

struct ListRow {
  Id id = 0;
  std::string name;    // local part of the posting address ("ham")
  std::string domain;  // "cq-test.example"
  // The last article number given out; the next post gets last_article + 1 (fml's seq file).
  std::int64_t last_article = 0;
  std::map<std::string, std::string> settings;
  Clock::time_point created_at;

  std::string address() const { return name + "@" + domain; }
};

struct MemberRow {
  Id id = 0;
  Id list_id = 0;
  std::string address;  // as list/ normalised it (domain lowercase, A-labels)
  std::string display_name;
  Role role = Role::member;
  DeliveryMode mode = DeliveryMode::regular;
  // fml's "posting only" members: may post, receive nothing (independent of mode).
  bool receives = true;
  bool may_post = true;
  Clock::time_point subscribed_at;
  // Delivery stopped because the member's mailbox kept bouncing: set only through
  // put_bounce_state() (update_member() leaves it), and delivery skips the member meanwhile.
  bool bounce_disabled = false;
};

// A post that got an article number. `spool_id` names the spool file it came from, so a
// restart after a crash finds the same article again instead of numbering the post twice.
enum class PostState {
  numbered,  // article number given, archive file not yet written
  queued,    // archived and its delivery jobs recorded
};

struct PostRow {
  Id id = 0;
  Id list_id = 0;
  std::int64_t article = 0;
  std::string spool_id;
  std::string message_id;  // without angle brackets
  std::string from;        // the author address, for the index
  std::string subject;     // decoded, for the index
  PostState state = PostState::numbered;
  Clock::time_point received_at;
};

// One SMTP transaction's worth of recipients for one article. A job is `done` once the MTA
// accepted it; jobs not done are retried after a restart.
enum class JobState { pending, done, failed };

struct DeliveryJob {
  Id id = 0;
  Id list_id = 0;
  std::int64_t article = 0;
  std::vector<std::string> recipients;
  JobState state = JobState::pending;
  int attempts = 0;
  std::string last_error;
  Clock::time_point not_before;  // retry time after a temporary failure
};

// How far a list's digest has come (Mailman's digest issue, fml's "last article sent").
// Digest delivery jobs carry article = -issue: they are read from the digest file of that
// issue, not from an article (list/digest.hpp).
struct DigestState {
  std::int64_t last_article = 0;   // the last article an issued digest included
  std::int64_t issue = 0;          // digests issued so far; the next one is issue + 1
  Clock::time_point last_sent_at;  // when the last one was issued; the epoch: never
};

enum class HeldState { waiting, approved, rejected, discarded };

// "waiting", "approved", "rejected", "discarded".
std::string_view held_state_name(HeldState state);

struct HeldRow {
  Id id = 0;
  Id list_id = 0;
  std::string spool_path;  // the message bytes, kept until decided
  std::string sender;      // envelope or From address
  std::string subject;     // decoded
  std::string reason;      // why it was held, for the moderator
  std::string token;       // the moderation token (approve by reply or web)
  HeldState state = HeldState::waiting;
  Clock::time_point held_at;
};

// A confirmation waiting for a reply or a click (subscribe, unsubscribe).
struct PendingAction {
  std::string token;
  Id list_id = 0;
  std::string action;   // "subscribe", "unsubscribe"
  std::string address;  // who it is for
  std::string display_name;
  Clock::time_point expires_at;
};

struct BounceRow {
  Id id = 0;
  Id list_id = 0;
  std::string address;
  std::string status;      // RFC 3463 code "5.1.1"
  std::string reason;      // classification ("userunknown", "authfailure", ...)
  std::string side;        // "recipient", "sender", "message", "transient"
  std::string diagnostic;  // the remote server's words
  Clock::time_point at;
  std::string provider;     // who answered ("gmail", "outlook", ...) when known
  std::string advice;       // what to do, as an advice key ("authentication", "ptr", ...)
  std::string remote_host;  // the server that refused
  double weight = 0;        // what it added to the member's bounce score
  // When an owner's summary included it (sender-side bounces); the epoch: not yet.
  Clock::time_point alerted_at;
};

// What the bounce processor keeps about one member (Mailman's "bounce info"). It belongs to
// the membership: removing the member removes it.
struct MemberBounceState {
  Id list_id = 0;
  std::string address;
  double score = 0;
  Clock::time_point first_bounce_at;  // start of the current run of bounces
  Clock::time_point last_bounce_at;   // the last bounce that was the member's mailbox's fault
  Clock::time_point last_counted_at;  // the last one that added to the score
  bool delivery_disabled = false;     // MemberRow::bounce_disabled
  Clock::time_point disabled_at;
  int probes_sent = 0;  // since delivery was disabled
  Clock::time_point last_probe_at;
};

// A whole list brought over from another list manager (`cqlist import-fml`). Member and post
// rows' list_id are ignored: the new list's id is used.
struct ListImport {
  std::string name;
  std::string domain;
  std::map<std::string, std::string> settings;
  std::vector<MemberRow> members;
  std::vector<PostRow> articles;  // archived posts (their files are written before)
  std::int64_t last_article = 0;  // the next post gets last_article + 1; not below any article
  std::vector<std::string> message_ids;  // seeds the Message-ID cache, without angle brackets
  Clock::time_point message_ids_seen_at;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- lists. Names are unique per domain; lookups ignore case.
  // Errc::already_exists when the list exists.
  virtual Result<ListRow> create_list(std::string_view name, std::string_view domain,
                                      const std::map<std::string, std::string>& settings) = 0;
  // Errc::not_found when there is no such list.
  virtual Result<ListRow> find_list(std::string_view name, std::string_view domain) = 0;
  virtual Result<ListRow> list_by_id(Id list_id) = 0;
  virtual Result<std::vector<ListRow>> lists() = 0;
  // Sets (or with an empty optional, removes) settings; others are left alone.
  virtual Result<void> update_settings(
      Id list_id, const std::map<std::string, std::optional<std::string>>& changes) = 0;
  // Removes the list and everything that belongs to it (members, posts, jobs, held, bounces).
  virtual Result<void> delete_list(Id list_id) = 0;

  // --- members. One row per (list, address); addresses match without case
  // (store/row_values.hpp), and a row keeps the spelling it was added with.
  // Errc::already_exists when the address is a member already.
  virtual Result<MemberRow> add_member(const MemberRow& member) = 0;
  // Adds every member not there yet, in one transaction; returns how many were added.
  virtual Result<std::size_t> add_members(const std::vector<MemberRow>& members) = 0;
  // Errc::not_found when the address is not a member.
  virtual Result<MemberRow> find_member(Id list_id, std::string_view address) = 0;
  // Changes role, mode, receives, may_post and display_name of the row with member.id.
  virtual Result<void> update_member(const MemberRow& member) = 0;
  virtual Result<void> remove_member(Id list_id, std::string_view address) = 0;
  // Ordered by address. `after` and `limit` page through big lists without holding them all.
  virtual Result<std::vector<MemberRow>> members(Id list_id, std::string_view after = {},
                                                 std::size_t limit = 0) = 0;
  virtual Result<std::size_t> member_count(Id list_id) = 0;

  // --- posts and articles.
  // Gives the post from `spool_id` the next article number, or returns the row it already
  // got (after a restart). Atomic with the list's last_article.
  virtual Result<PostRow> number_post(Id list_id, const PostRow& post) = 0;
  virtual Result<std::optional<PostRow>> find_post_by_spool(Id list_id,
                                                            std::string_view spool_id) = 0;
  virtual Result<std::optional<PostRow>> post(Id list_id, std::int64_t article) = 0;
  // Articles first..last, in order.
  virtual Result<std::vector<PostRow>> posts(Id list_id, std::int64_t first, std::int64_t last) = 0;
  // Marks the post queued and records its delivery jobs, in one transaction (the jobs exist
  // exactly when the post is queued). Jobs get ids; their list_id/article come from the post.
  virtual Result<void> queue_post(Id post_id, const std::vector<DeliveryJob>& jobs) = 0;
  // Sets the last article number, for imports (fml's seq). Never lowers it.
  virtual Result<void> set_last_article(Id list_id, std::int64_t last_article) = 0;
  // Adds an article that exists already (imports): a queued post without jobs.
  virtual Result<void> add_archived_post(const PostRow& post) = 0;
  // Creates the list with its settings, members, archived posts, article counter and
  // Message-ID cache in one transaction: afterwards the list is there complete, or not at all.
  // Errc::already_exists when the list exists (an import is never merged into a list).
  virtual Result<ListRow> import_list(const ListImport& import) = 0;

  // --- delivery jobs.
  // Up to `limit` pending jobs whose not_before has passed, oldest first.
  virtual Result<std::vector<DeliveryJob>> due_jobs(Clock::time_point now, std::size_t limit) = 0;
  virtual Result<void> mark_job_done(Id job_id) = 0;
  // A temporary failure: attempts + 1, retried at `retry_at`.
  virtual Result<void> defer_job(Id job_id, std::string_view error, Clock::time_point retry_at) = 0;
  virtual Result<void> fail_job(Id job_id, std::string_view error) = 0;
  // Pending jobs of all lists (or one), for `cqlist queue`.
  virtual Result<std::vector<DeliveryJob>> pending_jobs(std::optional<Id> list_id) = 0;

  // --- digests.
  // A list without digests yet starts at article 0, or where its import left off.
  virtual Result<DigestState> digest_state(Id list_id) = 0;
  // Records digest `next.issue` (covering articles up to next.last_article) and its delivery
  // jobs in one transaction, so the marker moves exactly when the digest is queued. The jobs
  // belong to the post of next.last_article (deleted with it) and get article = -issue.
  // Errc::already_exists when next.issue is not the list's issue + 1 (another process
  // issued it meanwhile: nothing is recorded); Errc::not_found when the article is not there.
  virtual Result<void> queue_digest(Id list_id, const DigestState& next,
                                    const std::vector<DeliveryJob>& jobs) = 0;

  // --- held messages.
  virtual Result<HeldRow> hold(const HeldRow& held) = 0;
  virtual Result<std::vector<HeldRow>> held(Id list_id, std::optional<HeldState> state) = 0;
  virtual Result<HeldRow> held_by_id(Id held_id) = 0;
  virtual Result<HeldRow> held_by_token(std::string_view token) = 0;
  // The claim on a decision, atomic: of callers deciding at once exactly one finds the message
  // waiting and gets success, and only that one may act on it. Errc::invalid_argument when it
  // was decided already.
  virtual Result<void> decide_held(Id held_id, HeldState decision) = 0;

  // --- Message-ID cache (loop and duplicate detection), per list.
  // True when the id was remembered before; records nothing. The pipeline asks this while
  // checking a post and remembers the id only once the post is numbered, so a post refused
  // with a temporary error (and retried by the MTA) is not then discarded as a duplicate.
  virtual Result<bool> seen_message_id(Id list_id, std::string_view message_id) = 0;
  // True when the id was seen before; records it either way.
  virtual Result<bool> remember_message_id(Id list_id, std::string_view message_id,
                                           Clock::time_point at) = 0;
  virtual Result<std::size_t> forget_message_ids_before(Clock::time_point cutoff) = 0;

  // --- confirmations.
  virtual Result<void> add_pending(const PendingAction& pending) = 0;
  // Removes and returns the action; Errc::not_found when unknown or expired at `now`.
  virtual Result<PendingAction> take_pending(std::string_view token, Clock::time_point now) = 0;
  // A confirmation of `action` for `address` on the list that has not expired at `now`, the
  // address matched without case as members are (the one expiring last when there are
  // several); std::nullopt when none is waiting. Errc::not_found when there is no such list.
  virtual Result<std::optional<PendingAction>> find_pending(Id list_id, std::string_view action,
                                                            std::string_view address,
                                                            Clock::time_point now) = 0;
  // Records `pending` unless find_pending would find a confirmation of the same action for
  // the same address waiting at `now`: then records nothing and returns that one. Looking and
  // recording are one transaction, so of two requests at the same instant (two command mails,
  // two processes) only one gets a confirmation. Errors as add_pending.
  virtual Result<std::optional<PendingAction>> add_pending_unless_waiting(
      const PendingAction& pending, Clock::time_point now) = 0;

  // --- bounces.
  virtual Result<void> add_bounce(const BounceRow& bounce) = 0;
  virtual Result<std::vector<BounceRow>> bounces(Id list_id, std::string_view address) = 0;
  // Every bounce of the list received at or after `since`, oldest first.
  virtual Result<std::vector<BounceRow>> bounces_since(Id list_id, Clock::time_point since) = 0;
  // Notes that an owner's summary covered these bounces (of this list; others are left).
  virtual Result<void> mark_bounces_alerted(Id list_id, const std::vector<Id>& bounce_ids,
                                            Clock::time_point at) = 0;
  // When the last summary went out; std::nullopt: never.
  virtual Result<std::optional<Clock::time_point>> last_bounce_alert(Id list_id) = 0;

  // --- members' bounce records.
  // Errc::not_found when the address is not a member; std::nullopt when it has no record.
  virtual Result<std::optional<MemberBounceState>> bounce_state(Id list_id,
                                                                std::string_view address) = 0;
  // Writes the record and the member's bounce_disabled flag together. Errc::not_found when
  // the address is not a member.
  virtual Result<void> put_bounce_state(const MemberBounceState& state) = 0;
  // add_bounce and put_bounce_state in one transaction: the bounce that changed a member's
  // score is kept exactly when the new score is (a bounce processed again after a crash
  // between the two would be listed twice). Errc::not_found as put_bounce_state; then
  // neither is written.
  virtual Result<void> add_scored_bounce(const BounceRow& bounce,
                                         const MemberBounceState& state) = 0;
  // Every record of the list, by address.
  virtual Result<std::vector<MemberBounceState>> bounce_states(Id list_id) = 0;
};

}  // namespace cqlist::store

// list/service.hpp: what the list server does with mail addressed to a list domain.
//
// Owns: routing a recipient by its local part (NAME, NAME-request, NAME-owner,
// NAME-bounces+KEY, NAME-confirm+TOKEN, NAME-unsubscribe), running the checks of a post while
// the LMTP client waits (so a refusal is an SMTP reply, never a bounce that could hit a forged
// sender), spooling what it accepts before saying 250, and then numbering, transforming,
// archiving and fanning the post out into delivery jobs. `cqlist inject` and the daemon's
// LMTP handler both come through receive(), so they behave the same.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "list/archive.hpp"
#include "list/commands.hpp"
#include "list/settings.hpp"
#include "list/signing.hpp"
#include "list/spool.hpp"
#include "list/token.hpp"
#include "mail/smtp_reply.hpp"
#include "store/store.hpp"

namespace cqlist::dns {
class Resolver;
}

namespace cqlist::list {

enum class Route { post, request, owner, bounces, confirm, unsubscribe };

struct RouteSuffix {
  std::string_view text;  // "-request"
  Route route;
};

// The local-part suffixes of a list's other addresses (NAME-request, NAME-owner, ...): what
// routing, Postfix's recipient table and the list-name clash check all go by.
std::span<const RouteSuffix> route_suffixes();

struct RoutedAddress {
  store::ListRow list;
  Route route = Route::post;
  std::string extension;  // what follows '+' (bounce key, confirmation token)
};

struct InboundEnvelope {
  std::string mail_from;
  std::string recipient;
  std::optional<IpAddress> client_ip;
  std::string helo;
};

struct ServiceDeps {
  store::Store& store;
  dns::Resolver& resolver;
  Spool& spool;   // posts between 250 and their delivery jobs, and held posts
  Spool& outbox;  // replies and notices for the MTA
  Archive& archive;
  KeyRing& keys;
  const TokenSigner& tokens;
  std::string authserv_id;            // this host's name in Authentication-Results
  RequestQuota* get_quota = nullptr;  // the `get` command's daily count; null: none
};

class ListService {
 public:
  explicit ListService(ServiceDeps deps) : deps_(deps) {}

  // Which list and which of its addresses; Errc::not_found for an address cqlist does not
  // serve, Errc::temporary when the store is unavailable.
  Result<RoutedAddress> route(std::string_view recipient);

  // The RCPT TO answer: 250 for a list address, 550 5.1.1 for an unknown one.
  mail::SmtpReply check_recipient(std::string_view recipient);

  // The answer after the data for one recipient. 2xx only once the message is on disk.
  mail::SmtpReply receive(const InboundEnvelope& envelope, std::string_view message);

  // Numbers, transforms, archives and queues one spooled post; then removes it from the spool.
  // One that can never be processed (its list was deleted, its file is damaged) is set aside
  // (Spool::set_aside) and reported as an error.
  Result<void> process_spooled(const std::string& spool_id);

  // Finishes every post a crash left in the spool, or whose processing failed after its 250
  // (the store was busy, a key unreadable), approved held posts among them: the daemon calls it
  // at start and then every minute with a `min_age`, so that posts being received (or
  // approved) right now are left to their own thread.
  Result<std::size_t> recover(std::chrono::seconds min_age = std::chrono::seconds(0));

  // A confirmation request's web link (list/commands.hpp confirm_by_link).
  Result<LinkConfirmation> confirm_by_link(std::string_view token, bool apply);

 private:
  mail::SmtpReply receive_post(const RoutedAddress& routed, const InboundEnvelope& envelope,
                               std::string message);
  Result<std::vector<std::string>> approved_held_in_spool();
  // Moves the entry out of recover()'s way and returns `why`, saying where it went.
  Result<void> set_aside(const std::string& spool_id, const Error& why);

  // Commands and moderation distribute approved posts through process_spooled().
  CommandDeps command_deps_for_this();

  ServiceDeps deps_;
};

// The delivery jobs for members who receive in `mode` (posts: regular; digests: digest), one
// per batch of settings.batch_size recipients, or of at most kPersonalCopiesPerJob when each
// member gets a copy of their own.
inline constexpr std::size_t kPersonalCopiesPerJob = 100;
Result<std::vector<store::DeliveryJob>> plan_jobs(store::Store& store, const store::ListRow& list,
                                                  const ListSettings& settings,
                                                  store::DeliveryMode mode);

// Bare LF line endings (a post from `cqlist inject` or a Unix tool) become CRLF: the wire
// form SMTP, DKIM and the archive all use. So does a lone CR: RFC 5321 §2.3.8 forbids sending
// one, and some receivers take "\r.\r" for the end of the data (SMTP smuggling), so a post must
// not carry one to the list's members.
std::string to_crlf(std::string_view message);

}  // namespace cqlist::list

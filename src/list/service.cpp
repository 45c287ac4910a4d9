// list/service.cpp: routing, the post's way from LMTP data to delivery jobs, and recovery.
#include "list/service.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "list/commands.hpp"
#include "list/digest.hpp"
#include "list/list_addresses.hpp"
#include "list/message_id.hpp"
#include "list/pipeline.hpp"
#include "mail/address.hpp"
#include "mail/subject.hpp"

namespace cqlist::list {
namespace {

constexpr RouteSuffix kSuffixes[] = {
    {"-request", Route::request},         {"-owner", Route::owner},
    {"-bounces", Route::bounces},         {"-confirm", Route::confirm},
    {"-unsubscribe", Route::unsubscribe},
};

mail::SmtpReply reply(int code, std::string_view status, std::string text) {
  auto parsed = mail::SmtpReply::parse(fmt::format("{} {} {}", code, status, text));
  if (parsed) {
    return *parsed;
  }
  mail::SmtpReply fallback;
  fallback.code = code;
  fallback.lines.push_back(std::move(text));
  return fallback;
}

std::string bool_word(bool value) {
  return value ? "yes" : "no";
}

std::int64_t seconds_since_epoch(store::Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::map<std::string, std::string> envelope_fields(const PostContext& context) {
  const Authenticity& auth = context.authenticity;
  // The address and creation time tell the list apart from one created under its id after
  // it was deleted (SQLite gives a deleted row's id out again).
  return {{"list_id", std::to_string(context.list.id)},
          {"list", context.list.address()},
          {"list_created", std::to_string(seconds_since_epoch(context.list.created_at))},
          {"mail_from", context.envelope_from},
          {"recipient", context.recipient},
          {"client_ip", context.client_ip ? context.client_ip->to_string() : ""},
          {"helo", context.helo},
          {"author", context.author},
          {"author_display_name", context.author_display_name},
          {"spf", auth.spf},
          {"dkim", auth.dkim},
          {"dmarc", auth.dmarc},
          {"dmarc_policy", auth.dmarc_policy},
          {"from_domain", auth.from_domain},
          {"from_domain_enforces", bool_word(auth.from_domain_enforces)},
          {"auth_results", auth.results},
          {"auth_reason", auth.reason}};
}

void restore_context(PostContext& context, std::map<std::string, std::string>& fields) {
  context.envelope_from = fields["mail_from"];
  context.recipient = fields["recipient"];
  if (auto ip = IpAddress::parse(fields["client_ip"])) {
    context.client_ip = *ip;
  }
  context.helo = fields["helo"];
  context.author = fields["author"];
  context.author_display_name = fields["author_display_name"];
  Authenticity& auth = context.authenticity;
  auth.spf = fields["spf"];
  auth.dkim = fields["dkim"];
  auth.dmarc = fields["dmarc"];
  auth.dmarc_policy = fields["dmarc_policy"];
  auth.from_domain = fields["from_domain"];
  auth.from_domain_enforces = fields["from_domain_enforces"] == "yes";
  auth.results = fields["auth_results"];
  auth.reason = fields["auth_reason"];
}

// The list a spooled entry was accepted for; Errc::not_found when it is gone. Entries spooled
// before the envelope named the list's address know only its id.
Result<store::ListRow> list_of_entry(store::Store& store, const SpoolEntry& entry) {
  auto field = [&](const char* key) {
    auto found = entry.envelope.find(key);
    return found == entry.envelope.end() ? std::string() : found->second;
  };
  CQLIST_TRY(store::Id list_id, entry.list_id());
  std::string id_text = std::to_string(list_id);
  Result<store::ListRow> list = store.list_by_id(list_id);
  std::string address = field("list");
  if (!list && list.error().code() == Errc::not_found) {
    return fail(Errc::not_found, fmt::format("its list {} no longer exists",
                                             address.empty() ? "#" + id_text : address));
  }
  if (list && !address.empty() &&
      (list->address() != address ||
       field("list_created") != std::to_string(seconds_since_epoch(list->created_at)))) {
    return fail(Errc::not_found, fmt::format("its list {} was deleted (list #{} is now {})",
                                             address, id_text, list->address()));
  }
  return list;
}

std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : to_ascii_lower(address.substr(at + 1));
}

}  // namespace

// Domains kept together so Postfix can reuse its connections to each destination. Pages
// through the members so memory does not grow with the list.
Result<std::vector<store::DeliveryJob>> plan_jobs(store::Store& store, const store::ListRow& list,
                                                  const ListSettings& settings,
                                                  store::DeliveryMode mode) {
  constexpr std::size_t kPage = 5000;
  std::size_t batch = std::clamp<std::size_t>(settings.batch_size, 1, 1000);
  // A job is one worker's: personal copies are signed one by one (~1 ms each), so a job of
  // 500 would keep one core busy for half a second while the other workers have nothing.
  if (sends_personal_copies(settings)) {
    batch = std::min(batch, kPersonalCopiesPerJob);
  }
  std::vector<store::DeliveryJob> jobs;
  std::string after;
  while (true) {
    CQLIST_TRY(auto page, store.members(list.id, after, kPage));
    if (page.empty()) {
      break;
    }
    after = page.back().address;
    std::vector<std::string> recipients;
    for (const auto& member : page) {
      if (member.receives && member.mode == mode && !member.bounce_disabled) {
        recipients.push_back(member.address);
      }
    }
    std::stable_sort(
        recipients.begin(), recipients.end(),
        [](const std::string& a, const std::string& b) { return domain_of(a) < domain_of(b); });
    for (std::size_t i = 0; i < recipients.size(); i += batch) {
      store::DeliveryJob job;
      job.list_id = list.id;
      auto end = std::min(recipients.size(), i + batch);
      job.recipients.assign(recipients.begin() + static_cast<std::ptrdiff_t>(i),
                            recipients.begin() + static_cast<std::ptrdiff_t>(end));
      jobs.push_back(std::move(job));
    }
    if (page.size() < kPage) {
      break;
    }
  }
  return jobs;
}

std::span<const RouteSuffix> route_suffixes() {
  return kSuffixes;
}

std::string to_crlf(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 32);
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) {
      out += '\r';
    }
    out += message[i];
    if (message[i] == '\r' && (i + 1 == message.size() || message[i + 1] != '\n')) {
      out += '\n';
    }
  }
  return out;
}

Result<RoutedAddress> ListService::route(std::string_view recipient) {
  auto at = recipient.rfind('@');
  if (at == std::string_view::npos || at == 0) {
    return fail(Errc::not_found, fmt::format("{} is not a list address", recipient));
  }
  std::string domain = to_ascii_lower(recipient.substr(at + 1));
  std::string local = to_ascii_lower(recipient.substr(0, at));
  RoutedAddress routed;
  if (auto plus = local.find('+'); plus != std::string::npos) {
    routed.extension = std::string(recipient.substr(plus + 1, at - plus - 1));
    local.resize(plus);
  }
  std::string name = local;
  for (const auto& suffix : kSuffixes) {
    if (local.size() > suffix.text.size() && local.ends_with(suffix.text)) {
      name = local.substr(0, local.size() - suffix.text.size());
      routed.route = suffix.route;
      break;
    }
  }
  auto list = deps_.store.find_list(name, domain);
  if (!list && list.error().code() == Errc::not_found && routed.route != Route::post) {
    // A list whose own name ends in "-owner" or similar.
    routed.route = Route::post;
    list = deps_.store.find_list(local, domain);
  }
  if (!list) {
    return fail(std::move(list.error()));
  }
  if (routed.route == Route::post && !routed.extension.empty()) {
    return fail(Errc::not_found, fmt::format("{} is not a list address", recipient));
  }
  routed.list = std::move(*list);
  return routed;
}

mail::SmtpReply ListService::check_recipient(std::string_view recipient) {
  auto routed = route(recipient);
  if (routed) {
    return reply(250, "2.1.5", "OK");
  }
  if (routed.error().code() == Errc::not_found) {
    return reply(550, "5.1.1", fmt::format("no such list: {}", recipient));
  }
  log::error("lmtp.store_error", {{"error", routed.error().describe()}});
  return reply(451, "4.3.0", "the list database is unavailable; try again later");
}

mail::SmtpReply ListService::receive(const InboundEnvelope& envelope, std::string_view message) {
  auto routed = route(envelope.recipient);
  if (!routed) {
    return routed.error().code() == Errc::not_found
               ? reply(550, "5.1.1", fmt::format("no such list: {}", envelope.recipient))
               : reply(451, "4.3.0", "the list database is unavailable; try again later");
  }
  std::string bytes = to_crlf(message);
  switch (routed->route) {
    case Route::post:
      return receive_post(*routed, envelope, std::move(bytes));
    case Route::request:
    case Route::confirm:
    case Route::unsubscribe:
    case Route::owner: {
      CommandDeps command_deps = command_deps_for_this();
      return handle_list_mail(command_deps, *routed, envelope.mail_from,
                              mail::Message::parse(std::move(bytes)));
    }
    case Route::bounces: {
      // Kept for the bounce processor, durably, before the 250.
      auto id = deps_.spool.add({{"list_id", std::to_string(routed->list.id)},
                                 {"mail_from", envelope.mail_from},
                                 {"recipient", envelope.recipient},
                                 {"extension", routed->extension}},
                                bytes, "bounce");
      if (!id) {
        log::error("bounce.spool_failed", {{"error", id.error().describe()}});
        return reply(451, "4.3.0", "cannot store the bounce now; try again later");
      }
      log::info("bounce.received", {{"list", routed->list.address()}, {"spool", *id}});
      return reply(250, "2.0.0", "bounce received");
    }
  }
  return reply(451, "4.3.0", "internal routing error");
}

mail::SmtpReply ListService::receive_post(const RoutedAddress& routed,
                                          const InboundEnvelope& envelope, std::string message) {
  PostContext context;
  context.list = routed.list;
  auto settings = parse_settings(routed.list.settings);
  if (!settings) {
    log::error("post.settings_invalid",
               {{"list", routed.list.address()}, {"error", settings.error().describe()}});
    return reply(451, "4.3.5", "the list is misconfigured; the owner has been told in the log");
  }
  context.settings = std::move(*settings);
  context.envelope_from = envelope.mail_from;
  context.recipient = envelope.recipient;
  context.client_ip = envelope.client_ip;
  context.helo = envelope.helo;
  context.size = message.size();

  // The checks sign nothing: keys are loaded when the post is processed.
  PipelineServices services{deps_.store, deps_.resolver, nullptr, deps_.authserv_id};
  mail::Message parsed = mail::Message::parse(message);
  Verdict verdict = run_checks(parsed, context, services);
  std::string list_address = routed.list.address();

  switch (verdict.decision) {
    case Decision::reject: {
      bool temporary = !verdict.status.empty() && verdict.status[0] == '4';
      return reply(temporary ? 451 : 550, verdict.status, verdict.reason);
    }
    case Decision::discard:
      log::info("post.discarded", {{"list", list_address}, {"reason", verdict.reason}});
      return reply(250, "2.0.0", "accepted");
    case Decision::hold: {
      auto id = deps_.spool.add(envelope_fields(context), message, "held");
      if (!id) {
        log::error("post.spool_failed", {{"list", list_address}, {"error", id.error().describe()}});
        return reply(451, "4.3.0", "cannot store the post now; try again later");
      }
      auto token = random_token();
      store::HeldRow held;
      held.list_id = routed.list.id;
      held.spool_path = *id;
      held.sender = context.author.empty() ? envelope.mail_from : context.author;
      held.subject = mail::subject_for_display(parsed.first_value("Subject").value_or(""),
                                               legacy_header_charset(context.settings));
      held.reason = verdict.reason;
      held.token = token ? *token : *id;
      held.held_at = context.now;
      auto row = deps_.store.hold(held);
      if (!row) {
        (void)deps_.spool.remove(*id);
        return reply(451, "4.3.0", "the list database is unavailable; try again later");
      }
      CommandDeps command_deps = command_deps_for_this();
      if (auto told = notify_moderators(command_deps, routed.list, context.settings, *row); !told) {
        log::warn("held.notify_failed",
                  {{"list", list_address}, {"error", told.error().describe()}});
      }
      log::info("post.held", {{"list", list_address},
                              {"held_id", std::to_string(row->id)},
                              {"reason", verdict.reason}});
      return reply(250, "2.0.0", "held for the moderators");
    }
    case Decision::accept:
      break;
  }

  auto id = deps_.spool.add(envelope_fields(context), message, "post");
  if (!id) {
    log::error("post.spool_failed", {{"list", list_address}, {"error", id.error().describe()}});
    return reply(451, "4.3.0", "cannot store the post now; try again later");
  }
  // The post is safe on disk; a failure from here on is retried by recover(), not by the MTA.
  if (auto processed = process_spooled(*id); !processed) {
    log::error("post.process_failed",
               {{"list", list_address}, {"spool", *id}, {"error", processed.error().describe()}});
  }
  return reply(250, "2.0.0", "accepted for " + list_address);
}

// An entry no retry can finish (a damaged file, a deleted list) is set aside; any other
// failure leaves it in the spool for recover() to try again.
Result<void> ListService::process_spooled(const std::string& spool_id) {
  Result<SpoolEntry> loaded = deps_.spool.load(spool_id);
  if (!loaded) {
    return loaded.error().code() == Errc::bad_syntax ? set_aside(spool_id, loaded.error())
                                                     : fail(loaded.error());
  }
  SpoolEntry entry = std::move(*loaded);
  Result<store::ListRow> found = list_of_entry(deps_.store, entry);
  if (!found) {
    const Errc code = found.error().code();
    return code == Errc::not_found || code == Errc::bad_syntax ? set_aside(spool_id, found.error())
                                                               : fail(found.error());
  }
  store::ListRow list = std::move(*found);
  PostContext context;
  CQLIST_TRY(context.settings, parse_settings(list.settings));
  context.list = list;
  restore_context(context, entry.envelope);
  context.size = entry.message.size();

  mail::Message original = mail::Message::parse(std::move(entry.message));
  store::PostRow post;
  post.list_id = list.id;
  post.spool_id = spool_id;
  post.message_id = message_id_of(original);
  post.from = context.author;
  post.subject = mail::strip_reply_prefixes_and_tags(
      mail::subject_for_display(original.first_value("Subject").value_or(""),
                                legacy_header_charset(context.settings)),
      list.name);
  post.received_at = context.now;
  CQLIST_TRY(store::PostRow numbered, deps_.store.number_post(list.id, post));
  if (numbered.state == store::PostState::queued) {
    return deps_.spool.remove(spool_id);  // a crash came between queue_post and this
  }
  context.article = numbered.article;

  CQLIST_TRY(auto signing, deps_.keys.for_list(list, context.settings));
  PipelineServices services{deps_.store, deps_.resolver, signing->arc ? &*signing->arc : nullptr,
                            deps_.authserv_id};
  CQLIST_TRY(mail::Message final_post, run_transforms(std::move(original), context, services));
  CQLIST_TRY_VOID(deps_.archive.write(list, numbered.article, final_post.serialize()));
  CQLIST_TRY(auto jobs,
             plan_jobs(deps_.store, list, context.settings, store::DeliveryMode::regular));
  CQLIST_TRY_VOID(deps_.store.queue_post(numbered.id, jobs));
  std::size_t recipients = 0;
  for (const auto& job : jobs) {
    recipients += job.recipients.size();
  }
  std::string notes;
  for (const auto& note : context.notes) {
    notes += notes.empty() ? note : "; " + note;
  }
  log::info("post.distributed", {{"list", list.address()},
                                 {"article", std::to_string(numbered.article)},
                                 {"recipients", std::to_string(recipients)},
                                 {"jobs", std::to_string(jobs.size())},
                                 {"notes", notes}});
  CQLIST_TRY_VOID(deps_.spool.remove(spool_id));
  // A digest that reached its size limit goes now, not at the next timer check. The post is
  // delivered either way, so a failure here is only logged (the timer tries again).
  if (auto digests = send_digest_if_due(deps_.store, deps_.archive, list, DigestTrigger::size_only,
                                        std::chrono::system_clock::now());
      !digests) {
    log::warn("digest.failed", {{"list", list.address()}, {"error", digests.error().describe()}});
  }
  return {};
}

Result<void> ListService::set_aside(const std::string& spool_id, const Error& why) {
  CQLIST_TRY(std::string failed_id, deps_.spool.set_aside(spool_id, why.message()));
  return fail(why.code(), fmt::format("{}; the post is set aside as {} (`cqlist queue` shows it)",
                                      why.message(), failed_id));
}

CommandDeps ListService::command_deps_for_this() {
  CommandDeps command_deps{deps_.store, deps_.outbox, deps_.spool, deps_.tokens, &deps_.archive};
  command_deps.distribute = [this](const std::string& id) { return process_spooled(id); };
  command_deps.get_quota = deps_.get_quota;
  return command_deps;
}

Result<LinkConfirmation> ListService::confirm_by_link(std::string_view token, bool apply) {
  CommandDeps command_deps = command_deps_for_this();
  return list::confirm_by_link(command_deps, token, apply);
}

// Approved held posts still in the spool: their distribution was cut short (a crash, a busy
// store), as a finished one leaves the spool. They keep the "held-" name they were held with.
Result<std::vector<std::string>> ListService::approved_held_in_spool() {
  CQLIST_TRY(auto held_ids, deps_.spool.ids("held"));
  std::vector<std::string> out;
  if (held_ids.empty()) {
    return out;
  }
  CQLIST_TRY(auto lists, deps_.store.lists());
  for (const store::ListRow& list : lists) {
    CQLIST_TRY(auto approved, deps_.store.held(list.id, store::HeldState::approved));
    for (const store::HeldRow& held : approved) {
      if (std::binary_search(held_ids.begin(), held_ids.end(), held.spool_path)) {
        out.push_back(held.spool_path);
      }
    }
  }
  return out;
}

Result<std::size_t> ListService::recover(std::chrono::seconds min_age) {
  CQLIST_TRY(auto ids, deps_.spool.ids("post"));
  CQLIST_TRY(auto approved, approved_held_in_spool());
  ids.insert(ids.end(), approved.begin(), approved.end());
  std::size_t finished = 0;
  for (const auto& id : ids) {
    std::error_code error;
    auto written = std::filesystem::last_write_time(deps_.spool.path(id), error);
    if (!error && std::filesystem::file_time_type::clock::now() - written < min_age) {
      continue;
    }
    if (auto processed = process_spooled(id); !processed) {
      log::error("post.recover_failed", {{"spool", id}, {"error", processed.error().describe()}});
      continue;
    }
    ++finished;
  }
  return finished;
}

}  // namespace cqlist::list

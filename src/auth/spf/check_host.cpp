#include "auth/spf/check_host.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "auth/spf/macro.hpp"
#include "auth/spf/record.hpp"
#include "auth/spf/record_cache.hpp"
#include "base/strings.hpp"

namespace cqlist::auth::spf {
namespace {

using dns::RecordType;
using dns::Status;

struct Verdict {
  SpfResult result = SpfResult::neutral;
  std::string reason;
  std::string explanation;
};

SpfResult qualifier_result(Qualifier qualifier) {
  switch (qualifier) {
    case Qualifier::pass:
      return SpfResult::pass;
    case Qualifier::fail:
      return SpfResult::fail;
    case Qualifier::softfail:
      return SpfResult::softfail;
    case Qualifier::neutral:
      return SpfResult::neutral;
  }
  return SpfResult::neutral;
}

bool is_void(Status status) {
  return status == Status::nxdomain || status == Status::nodata;
}

bool is_failure(Status status) {
  return status == Status::servfail || status == Status::timeout;
}

// A mechanism either matches, does not, or ends the evaluation with an error.
struct Match {
  bool matched = false;
  std::optional<Verdict> error;
};

class Evaluator {
 public:
  Evaluator(dns::Resolver& resolver, const SpfOptions& options, const IpAddress& ip,
            MacroContext base, Trace& trace)
      : resolver_(resolver),
        options_(options),
        ip_(ip),
        ip_text_(ip.to_string()),
        base_(std::move(base)),
        trace_(trace) {
    // A check through a big provider's includes takes up to a hundred steps (one per ip4:
    // term); growing the vector from empty moved every step's strings several times over.
    trace_.steps.reserve(64);
  }

  // `in_include`: for an include: mechanism, where the result only says match or no match
  // (RFC 7208 §5.2). A fail then looks up no exp= text, and the reason of a match or of the
  // default neutral is left empty: nobody reads it.
  Verdict check(const std::string& domain, unsigned depth, bool in_include);

 private:
  TraceStep& step(TraceStep::Kind kind, unsigned depth, const std::string& domain,
                  std::string text) {
    TraceStep& s = trace_.steps.emplace_back();
    s.kind = kind;
    s.depth = depth;
    s.domain = domain;
    s.text = std::move(text);
    s.lookups = lookups_;
    s.voids = voids_;
    return s;
  }

  dns::Answer query(const std::string& name, RecordType type, unsigned depth,
                    const std::string& domain) {
    dns::Answer answer = resolver_.query(name, type);
    std::string text = name;
    text += ' ';
    text += dns::record_type_name(type);
    TraceStep& s = step(TraceStep::Kind::query, depth, domain, std::move(text));
    s.status = answer.status;
    s.records = answer.records.size();
    return answer;
  }

  // Counts one DNS mechanism or redirect (RFC 7208 §4.6.4).
  std::optional<Verdict> count_lookup(const std::string& term) {
    ++lookups_;
    trace_.dns_lookups = lookups_;
    if (lookups_ > options_.max_dns_lookups) {
      return Verdict{SpfResult::permerror,
                     fmt::format("'{}' would be DNS lookup number {}; SPF allows {} per check",
                                 term, lookups_, options_.max_dns_lookups),
                     {}};
    }
    return std::nullopt;
  }

  std::optional<Verdict> count_void(const std::string& name) {
    ++voids_;
    trace_.void_lookups = voids_;
    if (voids_ > options_.max_void_lookups) {
      return Verdict{SpfResult::permerror,
                     fmt::format("{} is lookup number {} that found nothing; SPF allows {}", name,
                                 voids_, options_.max_void_lookups),
                     {}};
    }
    return std::nullopt;
  }

  MacroContext context_for(const std::string& domain, unsigned depth) {
    MacroContext context = base_;
    context.domain = domain;
    context.validated_name = [this, domain, depth] { return validated_name(domain, depth); };
    return context;
  }

  // A domain-spec without '%' has no macros, so it reads nothing from a context; most have
  // none, and building a context copies every field.
  Result<std::string> expand_spec(std::string_view spec, const std::string& domain,
                                  unsigned depth) {
    if (spec.find('%') == std::string_view::npos) {
      return expand_domain_spec(spec, base_);
    }
    return expand_domain_spec(spec, context_for(domain, depth));
  }

  // The names a PTR lookup gives for ip_ whose own addresses include ip_ (RFC 7208 §5.5).
  std::vector<std::string> validated_names(const std::string& domain, unsigned depth) {
    std::vector<std::string> out;
    dns::Answer ptr = query(ip_.reverse_name(), RecordType::ptr, depth, domain);
    if (!ptr.ok()) {
      return out;
    }
    std::vector<std::string> names = ptr.all<std::string>();
    if (names.size() > options_.max_mx_ptr_names) {
      names.resize(options_.max_mx_ptr_names);
    }
    const RecordType type = ip_.is_v4() ? RecordType::a : RecordType::aaaa;
    for (const std::string& name : names) {
      dns::Answer addresses = query(name, type, depth, domain);
      for (const IpAddress& address : addresses.all<IpAddress>()) {
        if (address == ip_) {
          out.push_back(dns::normalize_name(name));
          break;
        }
      }
    }
    return out;
  }

  static bool is_within(const std::string& name, const std::string& target) {
    const std::string lower_target = to_ascii_lower(target);
    return name == lower_target || (name.size() > lower_target.size() &&
                                    name.compare(name.size() - lower_target.size() - 1,
                                                 std::string::npos, "." + lower_target) == 0);
  }

  std::string validated_name(const std::string& domain, unsigned depth) {
    std::vector<std::string> names = validated_names(domain, depth);
    for (const std::string& name : names) {
      if (is_within(name, domain)) {
        return name;
      }
    }
    return names.empty() ? "unknown" : names.front();
  }

  bool address_matches(const dns::Answer& answer, const Mechanism& mechanism) const {
    for (const dns::RecordData& record : answer.records) {
      const auto* found = std::get_if<IpAddress>(&record);
      if (found == nullptr) {
        continue;
      }
      const IpAddress& address = *found;
      const unsigned prefix = address.is_v4() ? mechanism.cidr4 : mechanism.cidr6;
      if (address.is_v4() == ip_.is_v4() && ip_.in_network(address, prefix)) {
        return true;
      }
    }
    return false;
  }

  Match evaluate(const Mechanism& mechanism, const std::string& domain, unsigned depth);
  std::string explain(const Record& record, const std::string& domain, unsigned depth);

  dns::Resolver& resolver_;
  const SpfOptions& options_;
  IpAddress ip_;
  std::string ip_text_;  // for reasons
  MacroContext base_;
  Trace& trace_;
  unsigned lookups_ = 0;
  unsigned voids_ = 0;
  std::vector<std::string> stack_;  // domains being evaluated, to name include loops
};

Match Evaluator::evaluate(const Mechanism& mechanism, const std::string& domain, unsigned depth) {
  auto error = [](SpfResult result, std::string reason) {
    return Match{false, Verdict{result, std::move(reason), {}}};
  };
  if (mechanism.kind == MechanismKind::all) {
    return Match{true, std::nullopt};
  }
  if (mechanism.kind == MechanismKind::ip4 || mechanism.kind == MechanismKind::ip6) {
    return Match{mechanism.network.contains(ip_), std::nullopt};
  }
  if (auto over = count_lookup(mechanism.text)) {
    return Match{false, over};
  }
  std::string target = domain;
  if (!mechanism.domain_spec.empty()) {
    auto expanded = expand_spec(mechanism.domain_spec, domain, depth);
    if (!expanded) {
      return error(SpfResult::permerror, expanded.error().message());
    }
    target = *expanded;
  }
  const RecordType address_type = ip_.is_v4() ? RecordType::a : RecordType::aaaa;
  switch (mechanism.kind) {
    case MechanismKind::include: {
      Verdict inner = check(target, depth + 1, true);
      switch (inner.result) {
        case SpfResult::pass:
          return Match{true, std::nullopt};
        case SpfResult::fail:
        case SpfResult::softfail:
        case SpfResult::neutral:
          return Match{false, std::nullopt};
        case SpfResult::temperror:
          return Match{false, inner};
        case SpfResult::permerror:
          return Match{false, inner};
        case SpfResult::none:
          return error(SpfResult::permerror,
                       fmt::format("'{}' points at {}, which has no SPF record ({})",
                                   mechanism.text, target, inner.reason));
      }
      return Match{false, std::nullopt};
    }
    case MechanismKind::a:
    case MechanismKind::exists: {
      const RecordType type =
          mechanism.kind == MechanismKind::exists ? RecordType::a : address_type;
      if (!is_valid_domain(target)) {
        step(TraceStep::Kind::note, depth, domain,
             fmt::format("{} is not a valid domain name; not queried", target));
        if (auto over = count_void(target)) {
          return Match{false, over};
        }
        return Match{false, std::nullopt};
      }
      dns::Answer answer = query(target, type, depth, domain);
      if (is_failure(answer.status)) {
        return error(SpfResult::temperror,
                     fmt::format("DNS {} for {} {}", dns::status_name(answer.status), target,
                                 dns::record_type_name(type)));
      }
      if (is_void(answer.status)) {
        if (auto over = count_void(target)) {
          return Match{false, over};
        }
        return Match{false, std::nullopt};
      }
      if (mechanism.kind == MechanismKind::exists) {
        return Match{true, std::nullopt};
      }
      return Match{address_matches(answer, mechanism), std::nullopt};
    }
    case MechanismKind::mx: {
      dns::Answer answer = query(target, RecordType::mx, depth, domain);
      if (is_failure(answer.status)) {
        return error(SpfResult::temperror,
                     fmt::format("DNS {} for {} MX", dns::status_name(answer.status), target));
      }
      if (is_void(answer.status)) {
        if (auto over = count_void(target)) {
          return Match{false, over};
        }
        return Match{false, std::nullopt};
      }
      std::vector<dns::MxRecord> exchanges = answer.all<dns::MxRecord>();
      if (exchanges.size() > options_.max_mx_ptr_names) {
        return error(SpfResult::permerror,
                     fmt::format("{} has {} MX records; SPF looks at no more than {}", target,
                                 exchanges.size(), options_.max_mx_ptr_names));
      }
      for (const dns::MxRecord& mx : exchanges) {
        if (mx.exchange.empty()) {
          continue;  // "MX 0 ." says the domain takes no mail (RFC 7505)
        }
        dns::Answer addresses = query(mx.exchange, address_type, depth, domain);
        if (is_failure(addresses.status)) {
          return error(SpfResult::temperror,
                       fmt::format("DNS {} for {} {}", dns::status_name(addresses.status),
                                   mx.exchange, dns::record_type_name(address_type)));
        }
        if (address_matches(addresses, mechanism)) {
          return Match{true, std::nullopt};
        }
      }
      return Match{false, std::nullopt};
    }
    case MechanismKind::ptr: {
      for (const std::string& name : validated_names(domain, depth)) {
        if (is_within(name, target)) {
          return Match{true, std::nullopt};
        }
      }
      return Match{false, std::nullopt};
    }
    default:
      return Match{false, std::nullopt};
  }
}

std::string Evaluator::explain(const Record& record, const std::string& domain, unsigned depth) {
  MacroContext context = context_for(domain, depth);
  auto fallback = [&] {
    auto text = expand_macros(options_.default_explanation, context, true);
    return text ? *text : options_.default_explanation;
  };
  if (!record.exp) {
    return fallback();
  }
  auto target = expand_domain_spec(*record.exp, context);
  if (!target || !is_valid_domain(*target)) {
    return fallback();
  }
  dns::Answer answer = query(*target, RecordType::txt, depth, domain);
  std::vector<dns::TxtRecord> texts = answer.all<dns::TxtRecord>();
  if (!answer.ok() || texts.size() != 1) {
    return fallback();
  }
  auto text = expand_macros(texts.front().joined(), context, true);
  if (!text) {
    return fallback();
  }
  // RFC 7208 §6.2: the explanation is ASCII; anything else makes it unusable.
  for (char c : *text) {
    if (c < 0x20 || c > 0x7e) {
      return fallback();
    }
  }
  return *text;
}

Verdict Evaluator::check(const std::string& domain, unsigned depth, bool in_include) {
  if (!is_valid_domain(domain)) {
    step(TraceStep::Kind::note, depth, domain,
         fmt::format("'{}' is not a valid domain name; nothing was queried", domain));
    return Verdict{SpfResult::none, fmt::format("'{}' is not a valid domain name", domain), {}};
  }
  const std::string name = dns::normalize_name(domain);
  if (std::find(stack_.begin(), stack_.end(), name) != stack_.end()) {
    std::string chain;
    for (const std::string& seen : stack_) {
      chain += seen + " -> ";
    }
    chain += name;
    step(TraceStep::Kind::note, depth, domain, "loop: " + chain);
    return Verdict{SpfResult::permerror,
                   fmt::format("the SPF record of {} includes itself (loop: {}); remove the "
                               "include/redirect that points back",
                               name, chain),
                   {}};
  }
  dns::Answer answer = query(domain, RecordType::txt, depth, domain);
  if (is_failure(answer.status)) {
    return Verdict{SpfResult::temperror,
                   fmt::format("DNS {} looking up the SPF record of {}",
                               dns::status_name(answer.status), domain),
                   {}};
  }
  std::vector<std::string> spf_records;
  for (const dns::RecordData& record : answer.records) {
    const auto* txt = std::get_if<dns::TxtRecord>(&record);
    if (txt == nullptr) {
      continue;
    }
    std::string text = txt->joined();
    if (is_spf_record(text)) {
      spf_records.push_back(std::move(text));
    }
  }
  if (spf_records.empty()) {
    step(TraceStep::Kind::note, depth, domain, "no SPF record");
    return Verdict{SpfResult::none, fmt::format("{} publishes no SPF record", domain), {}};
  }
  if (spf_records.size() > 1) {
    for (const std::string& text : spf_records) {
      step(TraceStep::Kind::record, depth, domain, text);
    }
    return Verdict{SpfResult::permerror,
                   fmt::format("{} publishes {} SPF records; exactly one is allowed (merge them)",
                               domain, spf_records.size()),
                   {}};
  }
  step(TraceStep::Kind::record, depth, domain, spf_records.front());
  auto parsed = RecordCache::shared().parse(spf_records.front());
  if (!parsed) {
    return Verdict{
        SpfResult::permerror,
        fmt::format("the SPF record of {} is invalid: {}", domain, parsed.error().message()),
        {}};
  }
  const Record& record = **parsed;
  stack_.push_back(name);
  for (const Mechanism& mechanism : record.mechanisms) {
    step(TraceStep::Kind::term, depth, domain, mechanism.text);
    Match match = evaluate(mechanism, domain, depth);
    if (match.error) {
      stack_.pop_back();
      if (trace_.deciding_term.empty()) {
        trace_.deciding_term = mechanism.text;
        trace_.deciding_domain = domain;
      }
      return *match.error;
    }
    if (match.matched) {
      stack_.pop_back();
      step(TraceStep::Kind::note, depth, domain, "'" + mechanism.text + "' matched");
      trace_.deciding_term = mechanism.text;
      trace_.deciding_domain = domain;
      Verdict verdict{qualifier_result(mechanism.qualifier), {}, {}};
      if (!in_include) {
        verdict.reason =
            fmt::format("{} matched '{}' in the record of {}", ip_text_, mechanism.text, domain);
        if (verdict.result == SpfResult::fail) {
          verdict.explanation = explain(record, domain, depth);
        }
      }
      return verdict;
    }
  }
  stack_.pop_back();
  if (record.redirect) {
    const std::string term = "redirect=" + *record.redirect;
    step(TraceStep::Kind::term, depth, domain, term);
    if (auto over = count_lookup(term)) {
      trace_.deciding_term = term;
      trace_.deciding_domain = domain;
      return *over;
    }
    auto target = expand_spec(*record.redirect, domain, depth);
    if (!target) {
      return Verdict{SpfResult::permerror, target.error().message(), {}};
    }
    stack_.push_back(name);
    Verdict inner = check(*target, depth + 1, in_include);
    stack_.pop_back();
    if (inner.result == SpfResult::none) {
      return Verdict{SpfResult::permerror,
                     fmt::format("'{}' points at {}, which has no SPF record", term, *target),
                     {}};
    }
    return inner;
  }
  step(TraceStep::Kind::note, depth, domain, "no term matched: the default result is neutral");
  if (in_include) {
    return Verdict{SpfResult::neutral, {}, {}};
  }
  return Verdict{SpfResult::neutral,
                 fmt::format("no term of the record of {} matched {}", domain, ip_text_),
                 {}};
}

std::pair<std::string, std::string> split_sender(std::string_view sender) {
  const std::size_t at = sender.rfind('@');
  if (at == std::string_view::npos) {
    return {"postmaster", std::string(sender)};
  }
  std::string local(sender.substr(0, at));
  return {local.empty() ? "postmaster" : local, std::string(sender.substr(at + 1))};
}

}  // namespace

std::string_view result_name(SpfResult result) {
  switch (result) {
    case SpfResult::none:
      return "none";
    case SpfResult::neutral:
      return "neutral";
    case SpfResult::pass:
      return "pass";
    case SpfResult::fail:
      return "fail";
    case SpfResult::softfail:
      return "softfail";
    case SpfResult::temperror:
      return "temperror";
    case SpfResult::permerror:
      return "permerror";
  }
  return "none";
}

bool is_valid_domain(std::string_view name) {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  if (name.empty() || name.size() > 253 || name.find('.') == std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) {
      dot = name.size();
    }
    const std::size_t length = dot - start;
    if (length == 0 || length > 63) {
      return false;
    }
    start = dot + 1;
  }
  return true;
}

SpfOutcome check_host(dns::Resolver& resolver, const IpAddress& ip, std::string_view domain,
                      std::string_view sender, std::string_view helo, const SpfOptions& options) {
  SpfOutcome outcome;
  // RFC 7208 §5: an IPv4-mapped IPv6 client is the IPv4 client it carries.
  outcome.ip = ip.mapped_v4().value_or(ip);
  outcome.domain = std::string(domain);
  outcome.sender = std::string(sender);
  outcome.helo = std::string(helo);
  outcome.identity = "mailfrom";
  MacroContext context;
  auto [local, sender_domain] = split_sender(sender);
  context.sender = local + "@" + sender_domain;
  context.local_part = local;
  context.sender_domain = sender_domain;
  context.ip = outcome.ip;
  context.helo = std::string(helo);
  context.receiver = options.receiver;
  context.timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(options.now.time_since_epoch()).count();
  outcome.sender = context.sender;
  Evaluator evaluator(resolver, options, outcome.ip, context, outcome.trace);
  Verdict verdict = evaluator.check(std::string(domain), 0, false);
  outcome.result = verdict.result;
  outcome.reason = std::move(verdict.reason);
  outcome.explanation = std::move(verdict.explanation);
  return outcome;
}

SpfOutcome check_mail_from(dns::Resolver& resolver, const IpAddress& ip, std::string_view mail_from,
                           std::string_view helo, const SpfOptions& options) {
  if (mail_from.empty()) {
    return check_helo(resolver, ip, helo, options);
  }
  const std::size_t at = mail_from.rfind('@');
  const std::string_view domain =
      at == std::string_view::npos ? mail_from : mail_from.substr(at + 1);
  return check_host(resolver, ip, domain, mail_from, helo, options);
}

SpfOutcome check_helo(dns::Resolver& resolver, const IpAddress& ip, std::string_view helo,
                      const SpfOptions& options) {
  SpfOutcome outcome =
      check_host(resolver, ip, helo, fmt::format("postmaster@{}", helo), helo, options);
  outcome.identity = "helo";
  return outcome;
}

}  // namespace cqlist::auth::spf

// auth/dmarc/record.cpp: DMARC record parsing (RFC 9989 §4.7, formal syntax §4.8).
#include "auth/dmarc/record.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::auth::dmarc {
namespace {

std::optional<Policy> parse_policy(std::string_view value) {
  if (iequals(value, "none")) {
    return Policy::none;
  }
  if (iequals(value, "quarantine")) {
    return Policy::quarantine;
  }
  if (iequals(value, "reject")) {
    return Policy::reject;
  }
  return std::nullopt;
}

std::vector<std::string> split_uris(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view uri = trim(value.substr(0, comma));
    if (!uri.empty()) {
      out.emplace_back(uri);
    }
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
  }
  return out;
}

// fo: colon-separated list of 0, 1, d, s (§4.7).
bool valid_failure_options(std::string_view value) {
  if (value.empty()) {
    return false;
  }
  while (true) {
    std::size_t colon = value.find(':');
    std::string_view option = trim(value.substr(0, colon));
    if (option != "0" && option != "1" && option != "d" && option != "s") {
      return false;
    }
    if (colon == std::string_view::npos) {
      return true;
    }
    value = value.substr(colon + 1);
  }
}

std::optional<Alignment> parse_alignment(std::string_view value) {
  if (iequals(value, "r")) {
    return Alignment::relaxed;
  }
  if (iequals(value, "s")) {
    return Alignment::strict;
  }
  return std::nullopt;
}

struct RawTag {
  std::string_view name;
  std::string_view value;
};

}  // namespace

std::string_view policy_name(Policy policy) {
  switch (policy) {
    case Policy::none:
      return "none";
    case Policy::quarantine:
      return "quarantine";
    case Policy::reject:
      return "reject";
  }
  return "none";
}

std::string_view alignment_name(Alignment alignment) {
  return alignment == Alignment::strict ? "strict" : "relaxed";
}

std::string_view psd_name(PsdFlag psd) {
  switch (psd) {
    case PsdFlag::yes:
      return "y";
    case PsdFlag::no:
      return "n";
    case PsdFlag::unknown:
      return "u";
  }
  return "u";
}

bool looks_like_dmarc(std::string_view text) {
  text = trim(text);
  if (text.empty() || (text[0] != 'v' && text[0] != 'V')) {
    return false;
  }
  text = trim(text.substr(1));
  if (text.empty() || text[0] != '=') {
    return false;
  }
  return istarts_with(trim(text.substr(1)), "DMARC1");
}

Result<Record> parse_record(std::string_view text) {
  Record record;
  record.text = std::string(text);
  std::vector<RawTag> tags;
  std::string_view rest = text;
  while (true) {
    std::size_t semicolon = rest.find(';');
    std::string_view part = trim(rest.substr(0, semicolon));
    if (!part.empty()) {
      std::size_t equals = part.find('=');
      if (equals == std::string_view::npos) {
        if (tags.empty()) {
          return fail(Errc::bad_syntax, "a DMARC record must start with \"v=DMARC1\"");
        }
        record.problems.push_back(
            fmt::format("\"{}\" is not tag=value; ignored (RFC 9989 §4.7)", part));
      } else {
        tags.push_back({trim(part.substr(0, equals)), trim(part.substr(equals + 1))});
      }
    }
    if (semicolon == std::string_view::npos) {
      break;
    }
    rest = rest.substr(semicolon + 1);
  }
  // §4.7: "v" MUST be the first tag and its value exactly DMARC1.
  if (tags.empty() || !iequals(tags[0].name, "v")) {
    return fail(Errc::bad_syntax, "a DMARC record must start with \"v=DMARC1\"");
  }
  if (tags[0].value != "DMARC1") {
    if (istarts_with(tags[0].value, "DMARC1") && tags[0].value.size() > 6) {
      return fail(Errc::bad_syntax,
                  fmt::format("the version tag reads \"v={}\": tags must be separated by ';' "
                              "(write \"v=DMARC1; ...\")",
                              tags[0].value));
    }
    return fail(Errc::bad_syntax, fmt::format("the version tag reads \"v={}\"; the only DMARC "
                                              "version is \"v=DMARC1\"",
                                              tags[0].value));
  }
  if (!looks_like_dmarc(text)) {
    return fail(Errc::bad_syntax, "a DMARC record must start with \"v=DMARC1\"");
  }
  std::vector<std::string> seen;
  for (std::size_t i = 1; i < tags.size(); ++i) {
    std::string name = to_ascii_lower(tags[i].name);
    std::string_view value = tags[i].value;
    bool duplicate = false;
    for (const std::string& earlier : seen) {
      duplicate = duplicate || earlier == name;
    }
    if (duplicate) {
      record.problems.push_back(fmt::format("tag {}= appears twice; the first one is used", name));
      continue;
    }
    seen.push_back(name);
    auto bad_value = [&](std::string_view fallback) {
      record.problems.push_back(fmt::format("{}={} is not a valid value; using {} (RFC 9989 §4.7)",
                                            name, value, fallback));
    };
    if (name == "p" || name == "sp" || name == "np") {
      std::optional<Policy> policy = parse_policy(value);
      if (!policy) {
        bad_value(name == "p" ? "p=none" : "the default");
        continue;
      }
      if (name == "p") {
        record.policy = *policy;
        record.policy_given = true;
      } else if (name == "sp") {
        record.subdomain_policy = policy;
      } else {
        record.nonexistent_policy = policy;
      }
    } else if (name == "adkim" || name == "aspf") {
      std::optional<Alignment> alignment = parse_alignment(value);
      if (!alignment) {
        bad_value("relaxed alignment (r)");
        continue;
      }
      (name == "adkim" ? record.dkim_alignment : record.spf_alignment) = *alignment;
    } else if (name == "t") {
      if (iequals(value, "y")) {
        record.testing = true;
      } else if (!iequals(value, "n")) {
        bad_value("t=n");
      }
    } else if (name == "psd") {
      if (iequals(value, "y")) {
        record.psd = PsdFlag::yes;
      } else if (iequals(value, "n")) {
        record.psd = PsdFlag::no;
      } else if (!iequals(value, "u")) {
        bad_value("psd=u");
      }
    } else if (name == "rua" || name == "ruf") {
      std::vector<std::string> uris = split_uris(value);
      for (const std::string& uri : uris) {
        if (!istarts_with(uri, "mailto:")) {
          record.problems.push_back(fmt::format(
              "{} address \"{}\" is not a mailto: URI; reports cannot be sent there", name, uri));
        }
      }
      (name == "rua" ? record.aggregate_report_uris : record.failure_report_uris) = std::move(uris);
    } else if (name == "fo") {
      if (valid_failure_options(value)) {
        record.failure_options = std::string(value);
      } else {
        bad_value("fo=0");
      }
    } else if (name == "pct" || name == "rf" || name == "ri") {
      // Removed by RFC 9989 (Appendix C): tolerated, ignored, worth telling the owner.
      record.problems.push_back(
          fmt::format("{}= was removed by RFC 9989 and is ignored{}", name,
                      name == "pct" ? " (use t=y to test a policy on part of the mail)" : ""));
    } else if (name == "v") {
      record.problems.push_back("v= appears twice; the first one is used");
    }
    // Unknown tags are ignored (§4.7: "Unknown tags MUST be ignored").
  }
  return record;
}

std::string format_record(const Record& record) {
  std::string out = fmt::format("v=DMARC1; p={}", policy_name(record.policy));
  if (record.subdomain_policy) {
    out += fmt::format("; sp={}", policy_name(*record.subdomain_policy));
  }
  if (record.nonexistent_policy) {
    out += fmt::format("; np={}", policy_name(*record.nonexistent_policy));
  }
  if (record.psd != PsdFlag::unknown) {
    out += fmt::format("; psd={}", psd_name(record.psd));
  }
  if (record.testing) {
    out += "; t=y";
  }
  if (record.dkim_alignment == Alignment::strict) {
    out += "; adkim=s";
  }
  if (record.spf_alignment == Alignment::strict) {
    out += "; aspf=s";
  }
  if (record.failure_options != "0") {
    out += fmt::format("; fo={}", record.failure_options);
  }
  auto join = [](const std::vector<std::string>& uris) {
    std::string joined;
    for (const std::string& uri : uris) {
      joined += (joined.empty() ? "" : ",") + uri;
    }
    return joined;
  };
  if (!record.aggregate_report_uris.empty()) {
    out += "; rua=" + join(record.aggregate_report_uris);
  }
  if (!record.failure_report_uris.empty()) {
    out += "; ruf=" + join(record.failure_report_uris);
  }
  return out;
}

}  // namespace cqlist::auth::dmarc

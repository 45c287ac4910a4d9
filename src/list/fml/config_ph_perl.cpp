// list/fml/config_ph_perl.cpp: config.ph evaluated by perl, as fml.pl itself loads it.
//
// The helper script below reads the file, evaluates it in the package FmlConfig (so nothing of
// it can touch the helper's own variables), with fml's macros defined as recorders, and prints
// one line per variable or call: "S\tNAME\tVALUE", "A\tNAME\tV1\tV2...", "C\tNAME\tLINE\tARGS",
// with backslash, tab, CR and LF escaped. A die is printed as "E\tMESSAGE". config.ph is the
// operator's own file, which fml runs for every mail anyway; the script still stops it after
// 30 seconds so that a loop in it cannot hang the import.
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "base/subprocess.hpp"
#include "list/fml/config_ph.hpp"

namespace cqlist::list::fml {
namespace {

constexpr std::string_view kHelper = R"PERL(
use strict;
my ($file, $home) = @ARGV;
$SIG{__WARN__} = sub {};
$SIG{ALRM} = sub { print "E\tevaluating $file took longer than 30 seconds\n"; exit 3; };
alarm 30;
sub esc { my $s = shift; $s = '' unless defined $s;
  $s =~ s/\\/\\\\/g; $s =~ s/\t/\\t/g; $s =~ s/\n/\\n/g; $s =~ s/\r/\\r/g; return $s; }
open(my $fh, '<', $file) or do { print "E\tcannot open $file: $!\n"; exit 2; };
my $code = do { local $/; <$fh> }; close $fh;
our @calls;
{ no strict 'refs';
  for my $macro (qw(DENY_PROCEDURE PERMIT_PROCEDURE DEFINE_FIELD_FORCED DEFINE_FIELD_ORIGINAL
      DEFINE_FIELD_OF_REPORT_MAIL DEFINE_SUBJECT_TAG DEFINE_MODE ADD_FIELD DELETE_FIELD COPY_FIELD
      DEFINE_FIELD_PAT_TO_REJECT DEFINE_FIELD_LOOP_CHECKED UNDEF_FIELD_LOOP_CHECKED
      ADD_CONTENT_HANDLER DEFINE_MAILER)) {
    my $name = $macro;
    *{"FmlConfig::$name"} = sub { push @main::calls, [$name, (caller(0))[2], @_]; 1 };
  }
  ${"FmlConfig::DIR"} = $home;
}
my $ok = eval "package FmlConfig; no strict;\n#line 1 \"$file\"\n$code\n;1";
if (!$ok) { my $e = $@ || 'unknown error'; print 'E', "\t", esc($e), "\n"; exit 2; }
{ no strict 'refs';
  for my $name (sort keys %FmlConfig::) {
    next unless $name =~ /^[A-Za-z_]\w*$/;
    my $glob = $FmlConfig::{$name};
    next unless ref(\$glob) eq 'GLOB';
    my $scalar = *{$glob}{SCALAR};
    print "S\t$name\t", esc($$scalar), "\n" if defined $$scalar && !ref $$scalar;
    my $array = *{$glob}{ARRAY};
    print "A\t$name", (map { "\t" . esc($_) } @$array), "\n" if $array && @$array;
  }
}
for my $c (@calls) { my ($n, $l, @a) = @$c; print "C\t$n\t$l", (map { "\t" . esc($_) } @a), "\n"; }
exit 0;
)PERL";

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char next = text[++i];
    out += next == 'n' ? '\n' : next == 't' ? '\t' : next == 'r' ? '\r' : next;
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    auto tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) {
      return fields;
    }
    line.remove_prefix(tab + 1);
  }
}

}  // namespace

Result<FmlConfig> evaluate_config_ph(const std::filesystem::path& file, std::string_view fml_home,
                                     const std::string& perl) {
  CQLIST_TRY(ProcessOutput run,
             run_program({perl, "-e", std::string(kHelper), file.string(), std::string(fml_home)}));
  FmlConfig config;
  config.evaluated_by_perl = true;
  std::string_view rest = run.standard_output;
  while (!rest.empty()) {
    auto end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    auto fields = split_tabs(line);
    if (fields[0] == "E" && fields.size() >= 2) {
      return fail(Errc::bad_syntax, fmt::format("perl cannot evaluate {}: {}", file.string(),
                                                trim(unescape(fields[1]))));
    }
    if (fields[0] == "S" && fields.size() == 3) {
      config.scalars[std::string(fields[1])] = unescape(fields[2]);
    } else if (fields[0] == "A" && fields.size() >= 2) {
      auto& values = config.arrays[std::string(fields[1])];
      for (std::size_t i = 2; i < fields.size(); ++i) {
        values.push_back(unescape(fields[i]));
      }
    } else if (fields[0] == "C" && fields.size() >= 3) {
      MacroCall call{std::string(fields[1]), {}, 0};
      call.line =
          static_cast<std::size_t>(std::strtoul(std::string(fields[2]).c_str(), nullptr, 10));
      for (std::size_t i = 3; i < fields.size(); ++i) {
        call.args.push_back(unescape(fields[i]));
      }
      config.calls.push_back(std::move(call));
    }
  }
  if (run.exit_status != 0) {
    return fail(Errc::bad_syntax, fmt::format("perl cannot evaluate {} (exit status {})",
                                              file.string(), run.exit_status));
  }
  config.scalars.erase("DIR");
  return config;
}

}  // namespace cqlist::list::fml

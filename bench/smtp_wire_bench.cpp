// bench/smtp_wire_bench.cpp: dot-stuffing cost per outgoing copy. Personalised fan-out
// dot-stuffs every signed copy separately, so this runs once per list member.
#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>

#include "server/smtp_wire.hpp"

namespace {

// A 5 KB list post with CRLF line ends; two body lines start with a dot, as quoted
// "..." lines and signature separators do in real mail.
std::string five_kb_message() {
  std::string text =
      "Received: from mail.example.net (mail.example.net [192.0.2.7])\r\n"
      "\tby lists.example.org with LMTP; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
      "From: Alice Example <alice@example.net>\r\nTo: discuss@lists.example.org\r\n"
      "Subject: [discuss] Re: planning the next release\r\n"
      "Date: Tue, 14 Nov 2023 22:13:19 +0000\r\nMessage-ID: <20231114221319.1@example.net>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "List-Id: Discussion <discuss.lists.example.org>\r\n\r\n"
      "...as I said yesterday:\r\n";
  while (text.size() < 5000) {
    text += "The quick brown fox jumps over the lazy dog, and then  the dog sleeps again.  \r\n";
  }
  text += ".\r\n-- \r\nAlice\r\n";
  return text;
}

void BM_DotStuff_5KB(benchmark::State& state) {
  const std::string message = five_kb_message();
  for (auto _ : state) {
    std::string out = cqlist::server::dot_stuff(message);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(message.size()));
}

BENCHMARK(BM_DotStuff_5KB);

}  // namespace

BENCHMARK_MAIN();

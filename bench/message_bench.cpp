// bench/message_bench.cpp: parse + MIME walk + serialize throughput, cqlist against GMime 3.
//
// Both sides get the same bytes and do the same work: copy the input into the library, build
// the message and its MIME tree, and write the message back out. Two inputs: a realistic
// ~4 KB list post (Received chain, DKIM and ARC headers, multipart/alternative text + HTML in
// Japanese UTF-8) and a ~1 MB post with a base64 attachment. After the runs, one line per
// input gives cqlist's throughput as a multiple of GMime's, from CPU time per iteration (the
// goal is at least 3x). GMime rewrites header fields as it writes; cqlist keeps every byte.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <gmime/gmime.h>
#include <unistd.h>

#include "mail/message.hpp"
#include "mail/mime.hpp"

namespace {

using cqlist::mail::Message;
using cqlist::mail::MimeTree;

// Deterministic base64-alphabet text standing in for signatures and attachment data.
std::string pseudo_base64(std::size_t length, std::uint32_t seed) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(length);
  std::uint32_t state = seed;
  for (std::size_t i = 0; i < length; ++i) {
    state = state * 1664525U + 1013904223U;
    out += kAlphabet[(state >> 26) & 63U];
  }
  return out;
}

// `text` as lines of at most `width` characters, each line after the first starting with a
// tab: a folded header value.
std::string folded(std::string_view text, std::size_t width) {
  std::string out;
  for (std::size_t pos = 0; pos < text.size(); pos += width) {
    if (pos > 0) {
      out += "\r\n\t";
    }
    out += text.substr(pos, width);
  }
  return out;
}

std::string base64_lines(std::size_t bytes, std::uint32_t seed) {
  std::string data = pseudo_base64(bytes / 3 * 4, seed);
  std::string out;
  out.reserve(data.size() + data.size() / 38);
  for (std::size_t pos = 0; pos < data.size(); pos += 76) {
    out += std::string_view(data).substr(pos, 76);
    out += "\r\n";
  }
  return out;
}

std::string list_post_header(std::string_view content_type) {
  std::string h;
  h += "Return-Path: <cq-test-bounces+member=example.net@lists.example.org>\r\n";
  h += "Received: from mx.lists.example.org (mx.lists.example.org [203.0.113.10])\r\n"
       "\tby mail.example.net (Postfix) with ESMTPS id 4WqLk15mZsz9sRk\r\n"
       "\tfor <member@example.net>; Mon,  2 Sep 2024 10:00:05 +0900 (JST)\r\n";
  h += "Received: from lists.example.org (localhost [127.0.0.1])\r\n"
       "\tby mx.lists.example.org (Postfix) with LMTP id 7A1B2C3D4E\r\n"
       "\tfor <cq-test@lists.example.org>; Mon,  2 Sep 2024 10:00:04 +0900 (JST)\r\n";
  h += "Received: from mail-yw1-f171.google.com (mail-yw1-f171.google.com [209.85.128.171])\r\n"
       "\tby mx.lists.example.org (Postfix) with ESMTPS id 9F8E7D6C5B\r\n"
       "\tfor <cq-test@lists.example.org>; Mon,  2 Sep 2024 10:00:03 +0900 (JST)\r\n";
  h += "ARC-Seal: i=1; a=rsa-sha256; t=1725238804; cv=none; d=lists.example.org; s=arc-2024;\r\n"
       "\tb=" +
       folded(pseudo_base64(344, 1), 72) + "\r\n";
  h += "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=lists.example.org;\r\n"
       "\ts=arc-2024; t=1725238804; h=from:to:subject:date:message-id:in-reply-to:\r\n"
       "\treferences:mime-version:content-type:list-id;\r\n"
       "\tbh=" +
       pseudo_base64(43, 2) + "=;\r\n\tb=" + folded(pseudo_base64(344, 3), 72) + "\r\n";
  h += "ARC-Authentication-Results: i=1; mx.lists.example.org;\r\n"
       "\tdkim=pass header.d=example.jp header.s=sel1 header.b=AbCdEfGh;\r\n"
       "\tspf=pass (mx.lists.example.org: domain of taro@example.jp designates 209.85.128.171\r\n"
       "\tas permitted sender) smtp.mailfrom=taro@example.jp;\r\n"
       "\tdmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=example.jp\r\n";
  h += "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.jp; s=sel1;\r\n"
       "\tt=1725238800; h=from:to:subject:date:message-id:mime-version:content-type;\r\n"
       "\tbh=" +
       pseudo_base64(43, 4) + "=;\r\n\tb=" + folded(pseudo_base64(344, 5), 72) + "\r\n";
  h += "Authentication-Results: mx.lists.example.org; dkim=pass header.d=example.jp;\r\n"
       "\tspf=pass smtp.mailfrom=taro@example.jp; dmarc=pass header.from=example.jp\r\n";
  h += "From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@example.jp>\r\n";
  h += "To: cq-test@lists.example.org\r\n";
  h += "Subject: [cq-test:01234] =?UTF-8?B?5qyh5Zue44Gu5L6L5Lya44Gr44Gk44GE44Gm?=\r\n";
  h += "Date: Mon, 2 Sep 2024 10:00:00 +0900\r\n";
  h += "Message-ID: <CAF8x2N+5q1kT0b3=Zt4vXc9@mail.gmail.com>\r\n";
  h += "In-Reply-To: <20240901.180000.1234@example.org>\r\n";
  h += "References: <20240830.090000.1111@example.org>\r\n"
       "\t<20240901.180000.1234@example.org>\r\n";
  h += "MIME-Version: 1.0\r\n";
  h += "Content-Type: " + std::string(content_type) + "\r\n";
  h += "List-Id: cq-test <cq-test.lists.example.org>\r\n";
  h += "List-Unsubscribe: <https://lists.example.org/u/cq-test/9f8e7d>,\r\n"
       "\t<mailto:cq-test-unsubscribe@lists.example.org>\r\n";
  h += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  h += "List-Post: <mailto:cq-test@lists.example.org>\r\n";
  h += "List-Archive: <https://lists.example.org/archive/cq-test/>\r\n";
  h += "Precedence: list\r\n";
  h += "X-ML-Name: cq-test\r\nX-Mail-Count: 01234\r\n";
  h += "Sender: cq-test-bounces@lists.example.org\r\n";
  h += "\r\n";
  return h;
}

const std::string_view kJapaneseParagraph =
    "皆さん、こんにちは。次回の例会について連絡します。日時は九月十四日（土）の午後二時から、"
    "場所はいつもの公民館の第二会議室です。議題は秋の移動運用の計画と、新しいアンテナの調整報告です"
    "。"
    "参加できない方は、メーリングリストに返信してください。\r\n";

std::string realistic_list_post() {
  std::string text = "山田です。\r\n\r\n";
  std::string html = "<html><body><p>山田です。</p>\r\n";
  text += kJapaneseParagraph;
  html += "<p>" + std::string(kJapaneseParagraph) + "</p>\r\n";
  text += "\r\n-- \r\n山田 太郎 <taro@example.jp>\r\n";
  html += "</body></html>\r\n";
  std::string post = list_post_header("multipart/alternative; boundary=\"000000000000a1b2c3\"");
  post +=
      "--000000000000a1b2c3\r\n"
      "Content-Type: text/plain; charset=\"UTF-8\"\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n" +
      text +
      "\r\n--000000000000a1b2c3\r\n"
      "Content-Type: text/html; charset=\"UTF-8\"\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n" +
      html + "\r\n--000000000000a1b2c3--\r\n";
  return post;
}

std::string post_with_attachment() {
  std::string post = list_post_header("multipart/mixed; boundary=\"mixed-7f3a\"");
  post +=
      "--mixed-7f3a\r\n"
      "Content-Type: text/plain; charset=\"UTF-8\"\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n" +
      std::string(kJapaneseParagraph) +
      "\r\n--mixed-7f3a\r\n"
      "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
      "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      base64_lines(760 * 1024, 6) + "\r\n--mixed-7f3a--\r\n";
  return post;
}

const std::string& input(std::size_t which) {
  static const std::string inputs[] = {realistic_list_post(), post_with_attachment()};
  return inputs[which];
}

constexpr std::string_view kInputNames[] = {"list_post_4k", "attachment_1m"};

void parse_serialize_cqlist(benchmark::State& state) {
  const std::string& bytes = input(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    Message message = Message::parse(bytes);
    MimeTree tree = MimeTree::build(message);
    std::string out = message.serialize();
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(tree.parts().data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
  Message message = Message::parse(bytes);
  state.SetLabel(
      fmt::format("{} bytes, {} parts", bytes.size(), MimeTree::build(message).parts().size()));
}

// The GObject casts are written out: GMime's cast macros are C casts that -Wold-style-cast
// rejects. GMimeMessage starts with its GMimeObject, GMimeStreamMem with its GMimeStream.
GMimeObject* as_object(GMimeMessage* message) {
  return reinterpret_cast<GMimeObject*>(message);
}

void parse_serialize_gmime(benchmark::State& state) {
  const std::string& bytes = input(static_cast<std::size_t>(state.range(0)));
  std::size_t written = 0;
  for (auto _ : state) {
    GMimeStream* in = g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size());
    GMimeParser* parser = g_mime_parser_new_with_stream(in);
    GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
    GMimeStream* out = g_mime_stream_mem_new();
    g_mime_object_write_to_stream(as_object(message), nullptr, out);
    GByteArray* out_bytes =
        g_mime_stream_mem_get_byte_array(reinterpret_cast<GMimeStreamMem*>(out));
    written = out_bytes->len;
    benchmark::DoNotOptimize(out_bytes->data);
    g_object_unref(out);
    g_object_unref(message);
    g_object_unref(parser);
    g_object_unref(in);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
  state.SetLabel(fmt::format("{} bytes in, {} bytes out", bytes.size(), written));
}

BENCHMARK(parse_serialize_cqlist)->Arg(0)->Arg(1)->Name("message/cqlist");
BENCHMARK(parse_serialize_gmime)->Arg(0)->Arg(1)->Name("message/gmime");

// Prints the usual table, then cqlist's throughput as a multiple of GMime's per input (from
// the median when --benchmark_repetitions asks for several runs).
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(OutputOptions options) : ConsoleReporter(options) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && run.iterations > 0) {
        cpu_seconds_per_iteration_.try_emplace(run.run_name.str(), run.GetAdjustedCPUTime());
      } else if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        cpu_seconds_per_iteration_[run.run_name.str()] = run.GetAdjustedCPUTime();
      }
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    for (std::size_t i = 0; i < std::size(kInputNames); ++i) {
      auto cqlist = cpu_seconds_per_iteration_.find(fmt::format("message/cqlist/{}", i));
      auto gmime = cpu_seconds_per_iteration_.find(fmt::format("message/gmime/{}", i));
      if (cqlist == cpu_seconds_per_iteration_.end() || gmime == cpu_seconds_per_iteration_.end()) {
        continue;
      }
      double ratio = gmime->second / cqlist->second;
      fmt::print("ratio_vs_gmime {}: {:.2f}x ({} the 3x goal)\n", kInputNames[i], ratio,
                 ratio >= 3.0 ? "meets" : "MISSES");
    }
  }

 private:
  std::map<std::string, double> cpu_seconds_per_iteration_;
};

}  // namespace

int main(int argc, char** argv) {
  g_mime_init();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  RatioReporter reporter(isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_ColorTabular
                                                    : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  g_mime_shutdown();
  return 0;
}

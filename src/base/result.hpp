// base/result.hpp: Result<T> and Error, the failure type of every cqlist library.
//
// Owns: the "could not compute an answer" channel. Outcomes (an authentication result, a
// pipeline verdict, a bounce class) are plain values elsewhere and never travel as Error.
// Error::message is written for the operator: what happened and what to do.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace cqlist {

enum class Errc {
  invalid_argument,  // the caller passed something unusable
  bad_syntax,        // input data does not parse
  not_found,
  already_exists,
  io,              // the operating system refused (open, write, fsync, rename)
  unsupported,     // a charset, algorithm or feature cqlist does not handle
  limit_exceeded,  // a size, depth or count limit
  temporary,       // try again later (DNS timeout, busy database)
  configuration,   // the operator's configuration file is missing or wrong
  internal,
};

std::string_view errc_name(Errc code);

class Error {
 public:
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  Errc code() const { return code_; }

  const std::string& message() const { return message_; }

  // Frames added on the way up, innermost first ("while reading tests/data/x.eml").
  const std::vector<std::string>& context() const { return context_; }

  bool temporary() const { return code_ == Errc::temporary; }

  Error&& with_context(std::string frame) && {
    context_.push_back(std::move(frame));
    return std::move(*this);
  }

  // "message (while a; while b)": one line for a log or a CLI error.
  std::string describe() const;

 private:
  Errc code_;
  std::string message_;
  std::vector<std::string> context_;
};

template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
};

inline tl::unexpected<Error> fail(Errc code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}

inline tl::unexpected<Error> fail(Error error) {
  return tl::unexpected<Error>(std::move(error));
}

}  // namespace cqlist

#define CQLIST_CONCAT_INNER(a, b) a##b
#define CQLIST_CONCAT(a, b) CQLIST_CONCAT_INNER(a, b)

// CQLIST_TRY(auto value, expression): evaluates a Result; on failure returns its Error from the
// enclosing function, otherwise declares `value` holding the result.
#define CQLIST_TRY(decl, expr)                                           \
  auto CQLIST_CONCAT(cqlist_try_, __LINE__) = (expr);                    \
  if (!CQLIST_CONCAT(cqlist_try_, __LINE__)) {                           \
    return ::cqlist::fail(CQLIST_CONCAT(cqlist_try_, __LINE__).error()); \
  }                                                                      \
  decl = std::move(*CQLIST_CONCAT(cqlist_try_, __LINE__))

// CQLIST_TRY_VOID(expression): the same for Result<void>.
#define CQLIST_TRY_VOID(expr)                                                                      \
  if (auto CQLIST_CONCAT(cqlist_try_, __LINE__) = (expr); !CQLIST_CONCAT(cqlist_try_, __LINE__)) { \
    return ::cqlist::fail(CQLIST_CONCAT(cqlist_try_, __LINE__).error());                           \
  }

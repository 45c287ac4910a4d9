#include "base/result.hpp"

namespace cqlist {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::bad_syntax:
      return "bad_syntax";
    case Errc::not_found:
      return "not_found";
    case Errc::already_exists:
      return "already_exists";
    case Errc::io:
      return "io";
    case Errc::unsupported:
      return "unsupported";
    case Errc::limit_exceeded:
      return "limit_exceeded";
    case Errc::temporary:
      return "temporary";
    case Errc::configuration:
      return "configuration";
    case Errc::internal:
      return "internal";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out = message_;
  if (!context_.empty()) {
    out += " (";
    for (size_t i = 0; i < context_.size(); ++i) {
      if (i > 0) {
        out += "; ";
      }
      out += context_[i];
    }
    out += ')';
  }
  return out;
}

}  // namespace cqlist

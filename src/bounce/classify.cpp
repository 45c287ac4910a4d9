// Placeholder until the classifier lands; replaced by the real implementation.
#include "bounce/classify.hpp"

namespace cqlist::bounce {

std::string_view side_name(Side side) {
  switch (side) {
    case Side::recipient:
      return "recipient";
    case Side::sender:
      return "sender";
    case Side::message:
      return "message";
    case Side::transient:
      return "transient";
    case Side::complaint:
      return "complaint";
    case Side::not_a_bounce:
      return "not_a_bounce";
    case Side::unknown:
      return "unknown";
  }
  return "unknown";
}

Classification classify(const Rejection&) {
  return {};
}

Classification classify(const BounceReport&, const RecipientReport&) {
  return {};
}

}  // namespace cqlist::bounce

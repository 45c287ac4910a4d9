// auth/dmarc/public_suffix.cpp: libpsl wrapper.
#include "auth/dmarc/public_suffix.hpp"

#include <cstdlib>

#include <fmt/format.h>
#include <libpsl.h>

namespace cqlist::auth::dmarc {
namespace {

struct PslDeleter {
  void operator()(const psl_ctx_st* context) const {
    psl_free(const_cast<psl_ctx_st*>(context));  // libpsl's API is not const-correct
  }
};

}  // namespace

Result<PublicSuffixList> PublicSuffixList::system() {
  const psl_ctx_t* context = psl_latest(nullptr);
  if (context == nullptr) {
    context = psl_builtin();
    if (context == nullptr) {
      return fail(Errc::not_found,
                  "no Public Suffix List on this system; install the publicsuffix package");
    }
    PublicSuffixList list;
    list.context_ = std::shared_ptr<const psl_ctx_st>(context, [](const psl_ctx_st*) {});
    return list;
  }
  PublicSuffixList list;
  list.context_ = std::shared_ptr<const psl_ctx_st>(context, PslDeleter{});
  return list;
}

Result<PublicSuffixList> PublicSuffixList::load(const std::string& path) {
  psl_ctx_t* context = psl_load_file(path.c_str());
  if (context == nullptr) {
    return fail(Errc::io, fmt::format("cannot read the Public Suffix List {}", path));
  }
  PublicSuffixList list;
  list.context_ = std::shared_ptr<const psl_ctx_st>(context, PslDeleter{});
  return list;
}

std::optional<std::string> PublicSuffixList::registrable_domain(std::string_view domain) const {
  if (domain.empty() || context_ == nullptr) {
    return std::nullopt;
  }
  // libpsl wants lowercase UTF-8 (it handles both U-labels and A-labels).
  std::string input(domain);
  char* lower = nullptr;
  if (psl_str_to_utf8lower(input.c_str(), "utf-8", nullptr, &lower) != PSL_SUCCESS) {
    return std::nullopt;
  }
  const char* result = psl_registrable_domain(context_.get(), lower);
  std::optional<std::string> out;
  if (result != nullptr) {
    out = std::string(result);
  }
  psl_free_string(lower);
  return out;
}

}  // namespace cqlist::auth::dmarc

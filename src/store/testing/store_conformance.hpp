// store/testing/store_conformance.hpp: the test suite every Store implementation must pass.
//
// Owns: what the Store interface promises, as tests: every method, its errors, and the
// behaviour callers build on (idempotent numbering, atomic queueing, paging). An
// implementation's test file instantiates it with a factory that opens a fresh, empty store
// for a test's private directory:
//
//   CQLIST_INSTANTIATE_STORE_CONFORMANCE(Sqlite, (StoreFactory{"sqlite", [](const auto& dir) {
//     return std::move(*open_sqlite_store(dir / "cqlist.db"));
//   }}));
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "base/result.hpp"
#include "store/store.hpp"

namespace cqlist::store::testing {

// Opens an empty store whose files (if any) live under `dir`; nullptr (after reporting a
// test failure) when it cannot.
using StoreOpener = std::function<std::unique_ptr<Store>(const std::filesystem::path& dir)>;

struct StoreFactory {
  std::string name;  // becomes part of the test names ("sqlite")
  StoreOpener open;
};

// A fresh directory under the system's temporary directory, removed with its contents.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

template <class T>
::testing::AssertionResult is_ok(const Result<T>& result) {
  if (result) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << result.error().describe();
}

template <class T>
::testing::AssertionResult has_error(const Result<T>& result, Errc code) {
  if (result) {
    return ::testing::AssertionFailure() << "succeeded, expected " << errc_name(code);
  }
  if (result.error().code() != code) {
    return ::testing::AssertionFailure()
           << "failed with " << errc_name(result.error().code()) << " ("
           << result.error().describe() << "), expected " << errc_name(code);
  }
  return ::testing::AssertionSuccess() << result.error().describe();
}

// A fixed point in time, `seconds` after the epoch (the store keeps whole seconds).
inline Clock::time_point at(std::int64_t seconds) {
  return Clock::time_point(std::chrono::seconds(seconds));
}

// 2023-11-14T22:13:20Z: the suite's "now".
inline constexpr std::int64_t kNow = 1'700'000'000;

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;

  Store& store() { return *store_; }

  // Creates a list (failing the test if it cannot).
  ListRow make_list(std::string_view name = "ham", std::string_view domain = "cq-test.example");
  MemberRow make_member(Id list_id, std::string address);
  // A post as the pipeline hands it to number_post(), from spool file `spool_id`.
  PostRow make_post(Id list_id, std::string spool_id);
  // Numbers a post and queues it with one job per recipient group; returns the post.
  PostRow queue_post_with_jobs(Id list_id, std::string spool_id,
                               const std::vector<std::vector<std::string>>& recipient_groups,
                               Clock::time_point not_before = at(kNow));

  const std::filesystem::path& directory() const { return directory_.path(); }

 private:
  TemporaryDirectory directory_;
  std::unique_ptr<Store> store_;
};

std::string store_factory_name(const ::testing::TestParamInfo<StoreFactory>& info);

// The suite is in a static library, whose objects a linker keeps only when referred to; the
// instantiation macro refers to them all through this function.
int link_store_conformance_suite();

}  // namespace cqlist::store::testing

// Instantiates the suite for one implementation; `prefix` names it in test output
// ("Sqlite/StoreConformance.AddMemberTwiceIsAlreadyExists/sqlite"). Use it at namespace scope.
#define CQLIST_INSTANTIATE_STORE_CONFORMANCE(prefix, factory)                    \
  using ::cqlist::store::testing::StoreConformance;                              \
  INSTANTIATE_TEST_SUITE_P(prefix, StoreConformance, ::testing::Values(factory), \
                           ::cqlist::store::testing::store_factory_name);        \
  [[maybe_unused]] static const int cqlist_store_conformance_linked_##prefix =   \
      ::cqlist::store::testing::link_store_conformance_suite()

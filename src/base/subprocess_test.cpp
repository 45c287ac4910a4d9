#include "base/subprocess.hpp"

#include <gtest/gtest.h>

namespace cqlist {
namespace {

TEST(RunProgram, CollectsStandardOutputAndTheExitStatus) {
  auto run = run_program({"sh", "-c", "printf 'one\\ntwo words\\n'; echo ignored >&2; exit 3"});
  ASSERT_TRUE(run) << run.error().describe();
  EXPECT_EQ(run->standard_output, "one\ntwo words\n");
  EXPECT_EQ(run->exit_status, 3);
}

TEST(RunProgram, ArgumentsAreNotSplitByAShell) {
  auto run = run_program({"printf", "%s|", "a b", "$HOME"});
  ASSERT_TRUE(run) << run.error().describe();
  EXPECT_EQ(run->standard_output, "a b|$HOME|");
  EXPECT_EQ(run->exit_status, 0);
}

TEST(RunProgram, AMissingProgramIsNotFound) {
  auto run = run_program({"cqlist-no-such-program-here"});
  ASSERT_FALSE(run);
  EXPECT_EQ(run.error().code(), Errc::not_found);
  EXPECT_NE(run.error().describe().find("cqlist-no-such-program-here"), std::string::npos);
}

TEST(RunProgram, ASignalIsReportedAbove128) {
  auto run = run_program({"sh", "-c", "kill -TERM $$"});
  ASSERT_TRUE(run) << run.error().describe();
  EXPECT_EQ(run->exit_status, 128 + 15);
}

}  // namespace
}  // namespace cqlist

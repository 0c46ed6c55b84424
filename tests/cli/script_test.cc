// Tests for splitting `prictl run` lines: quoting, comments, $CALL.
#include "cli/script.h"

#include <gtest/gtest.h>

namespace prid::cli {
namespace {

using Words = std::vector<std::string>;

Words Split(std::string_view line, std::optional<std::int64_t> call = std::nullopt) {
  auto words = SplitScriptLine(line, call);
  EXPECT_TRUE(words.ok()) << line << ": " << (words.ok() ? "" : words.error());
  return words.ok() ? *words : Words{};
}

std::string SplitError(std::string_view line, std::optional<std::int64_t> call = std::nullopt) {
  auto words = SplitScriptLine(line, call);
  EXPECT_FALSE(words.ok()) << line;
  return words.ok() ? "" : words.error();
}

TEST(SplitScriptLine, BlankLineGivesNoWords) {
  EXPECT_EQ(Split(""), Words{});
  EXPECT_EQ(Split("   \t  "), Words{});
  EXPECT_EQ(Split("\r"), Words{});
}

TEST(SplitScriptLine, WordsAreSeparatedByBlanks) {
  EXPECT_EQ(Split("  call  100\t--span 1 "), (Words{"call", "100", "--span", "1"}));
}

TEST(SplitScriptLine, CrlfLineEndIsIgnored) { EXPECT_EQ(Split("status\r"), Words{"status"}); }

TEST(SplitScriptLine, CommentLineGivesNoWords) {
  EXPECT_EQ(Split("# place a call"), Words{});
  EXPECT_EQ(Split("   # indented comment"), Words{});
}

TEST(SplitScriptLine, TrailingCommentIsDropped) {
  EXPECT_EQ(Split("alert 3   # ring first"), (Words{"alert", "3"}));
}

TEST(SplitScriptLine, HashInsideAWordIsKept) {
  EXPECT_EQ(Split("call 12#34"), (Words{"call", "12#34"}));
}

TEST(SplitScriptLine, QuotedHashIsKept) {
  EXPECT_EQ(Split("answer 3 --uui-text '#1' \"#2\""),
            (Words{"answer", "3", "--uui-text", "#1", "#2"}));
}

TEST(SplitScriptLine, DoubleQuotesKeepBlanks) {
  EXPECT_EQ(Split("drop 3 --uui-text \"good  bye\""),
            (Words{"drop", "3", "--uui-text", "good  bye"}));
}

TEST(SplitScriptLine, SingleQuotesKeepEverythingLiteral) {
  EXPECT_EQ(Split("x 'a \"b\" \\n $CALL'"), (Words{"x", "a \"b\" \\n $CALL"}));
}

TEST(SplitScriptLine, DoubleQuoteEscapes) {
  EXPECT_EQ(Split(R"(x "say \"hi\" \\ \$CALL \n")"), (Words{"x", R"(say "hi" \ $CALL \n)"}));
}

TEST(SplitScriptLine, BackslashEscapesOutsideQuotes) {
  EXPECT_EQ(Split(R"(x a\ b \# \')"), (Words{"x", "a b", "#", "'"}));
}

TEST(SplitScriptLine, EmptyQuotesMakeAnEmptyWord) {
  EXPECT_EQ(Split("answer 3 --uui-text ''"), (Words{"answer", "3", "--uui-text", ""}));
  EXPECT_EQ(Split("x \"\""), (Words{"x", ""}));
}

TEST(SplitScriptLine, AdjacentQuotedPartsJoinOneWord) {
  EXPECT_EQ(Split("x ab'c d'\"e\"f"), (Words{"x", "abc def"}));
}

TEST(SplitScriptLine, UnterminatedSingleQuoteIsAnError) {
  EXPECT_NE(SplitError("x 'abc").find("unterminated '"), std::string::npos);
}

TEST(SplitScriptLine, UnterminatedDoubleQuoteIsAnError) {
  EXPECT_NE(SplitError("x \"abc").find("unterminated \""), std::string::npos);
}

TEST(SplitScriptLine, TrailingBackslashIsAnError) {
  EXPECT_NE(SplitError("x abc\\").find("backslash"), std::string::npos);
}

TEST(SplitScriptLine, CallVariableExpands) {
  EXPECT_EQ(Split("drop $CALL --cause busy", 17), (Words{"drop", "17", "--cause", "busy"}));
}

TEST(SplitScriptLine, LowercaseAndBracedCallVariableExpand) {
  EXPECT_EQ(Split("info $call", 5), (Words{"info", "5"}));
  EXPECT_EQ(Split("info ${CALL}", 5), (Words{"info", "5"}));
  EXPECT_EQ(Split("x ${call}0", 5), (Words{"x", "50"}));
}

TEST(SplitScriptLine, CallVariableExpandsInsideDoubleQuotes) {
  EXPECT_EQ(Split("x \"call $CALL done\"", 9), (Words{"x", "call 9 done"}));
}

TEST(SplitScriptLine, CallVariableInsideSingleQuotesStays) {
  EXPECT_EQ(Split("x '$CALL'", 9), (Words{"x", "$CALL"}));
}

TEST(SplitScriptLine, CallVariableWithoutACallIsAnError) {
  EXPECT_NE(SplitError("drop $CALL").find("$CALL is not set"), std::string::npos);
}

TEST(SplitScriptLine, CallVariableInACommentNeedsNoCall) {
  EXPECT_EQ(Split("status # then drop $CALL"), Words{"status"});
}

TEST(SplitScriptLine, UnknownVariableIsAnError) {
  EXPECT_NE(SplitError("x $CALLS", 1).find("unknown variable $CALLS"), std::string::npos);
  EXPECT_NE(SplitError("x $HOME", 1).find("unknown variable $HOME"), std::string::npos);
}

TEST(SplitScriptLine, UnterminatedBraceIsAnError) { SplitError("x ${CALL", 1); }

TEST(SplitScriptLine, LoneDollarIsKept) {
  EXPECT_EQ(Split("x $ a$ $-"), (Words{"x", "$", "a$", "$-"}));
}

TEST(SplitScriptLine, NumberedCallVariablesNameTheCallsMetInOrder) {
  const std::vector<std::int64_t> calls = {7, 9, 12};
  auto words = SplitScriptLine("conf create $CALL1 ${CALL2} $call3", 12, calls);
  ASSERT_TRUE(words.ok()) << words.error();
  EXPECT_EQ(*words, (std::vector<std::string>{"conf", "create", "7", "9", "12"}));
}

TEST(SplitScriptLine, NumberedCallVariableBeyondTheCallsMetFails) {
  const std::vector<std::int64_t> calls = {7};
  auto words = SplitScriptLine("drop $CALL2", 7, calls);
  ASSERT_FALSE(words.ok());
  EXPECT_NE(words.error().find("$CALL2 is not set"), std::string::npos) << words.error();
  EXPECT_FALSE(SplitScriptLine("drop $CALL0", 7, calls).ok());
  EXPECT_FALSE(SplitScriptLine("drop $CALLX", 7, calls).ok());
}

}  // namespace
}  // namespace prid::cli

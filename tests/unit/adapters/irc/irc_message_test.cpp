// The IRC line codec against the examples of the specs it follows: MIRC "Message Format"
// (modern.ircdocs.horse), IRCv3 message-tags, ircdocs parser-tests (msg-split, userhost-split),
// and lines the bot meets on InspIRCd and Twitch (protocols.md §1c).
#include "adapters/irc/irc_message.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

using tweetup::irc::irc_message;
using tweetup::irc::parse_irc_line;
using tweetup::irc::serialize;

namespace {

using tags_t = std::vector<irc_message::tag>;
using params_t = std::vector<std::string>;

struct parse_case {
  std::string_view line;
  tags_t tags;
  std::string source;
  std::string command;
  params_t params;
};

// Expected values written out by hand from the specs' own answers.
const std::vector<parse_case>& parse_cases() {
  static const std::vector<parse_case> cases{
      // MIRC "Message Format" examples.
      {":irc.example.com CAP LS * :multi-prefix extended-join sasl",
       {},
       "irc.example.com",
       "CAP",
       {"LS", "*", "multi-prefix extended-join sasl"}},
      {"@id=234AB :dan!d@localhost PRIVMSG #chan :Hey what's up!",
       {{"id", "234AB"}},
       "dan!d@localhost",
       "PRIVMSG",
       {"#chan", "Hey what's up!"}},
      {"CAP REQ :sasl", {}, "", "CAP", {"REQ", "sasl"}},
      {"@id=123AB;rose PING x", {{"id", "123AB"}, {"rose", ""}}, "", "PING", {"x"}},
      {"@url=;netsplit=tur,ty PING x", {{"url", ""}, {"netsplit", "tur,ty"}}, "", "PING", {"x"}},
      {":irc.example.com CAP * LIST :", {}, "irc.example.com", "CAP", {"*", "LIST", ""}},
      {"CAP * LS :multi-prefix sasl", {}, "", "CAP", {"*", "LS", "multi-prefix sasl"}},
      {"CAP REQ :sasl message-tags foo", {}, "", "CAP", {"REQ", "sasl message-tags foo"}},
      {":dan!d@localhost PRIVMSG #chan :Hey!", {}, "dan!d@localhost", "PRIVMSG", {"#chan", "Hey!"}},
      {":dan!d@localhost PRIVMSG #chan Hey!", {}, "dan!d@localhost", "PRIVMSG", {"#chan", "Hey!"}},
      {":dan!d@localhost PRIVMSG #chan ::-)", {}, "dan!d@localhost", "PRIVMSG", {"#chan", ":-)"}},

      // IRCv3 message-tags examples: standard, valueless, vendor and client-only tags.
      {":nick!ident@host.com PRIVMSG me :Hello",
       {},
       "nick!ident@host.com",
       "PRIVMSG",
       {"me", "Hello"}},
      {"@aaa=bbb;ccc;example.com/ddd=eee :nick!ident@host.com PRIVMSG me :Hello",
       {{"aaa", "bbb"}, {"ccc", ""}, {"example.com/ddd", "eee"}},
       "nick!ident@host.com",
       "PRIVMSG",
       {"me", "Hello"}},
      {"@example-tag=example-value PRIVMSG #channel :Message",
       {{"example-tag", "example-value"}},
       "",
       "PRIVMSG",
       {"#channel", "Message"}},
      {"@+example-client-tag=example-value PRIVMSG #channel :Message",
       {{"+example-client-tag", "example-value"}},
       "",
       "PRIVMSG",
       {"#channel", "Message"}},
      {"@+icon=https://example.com/favicon.png :url_bot!bot@example.com PRIVMSG #channel "
       ":Example.com: A News Story",
       {{"+icon", "https://example.com/favicon.png"}},
       "url_bot!bot@example.com",
       "PRIVMSG",
       {"#channel", "Example.com: A News Story"}},
      {"@+example.com/foo=bar :irc.example.com NOTICE #channel :A vendor-prefixed client-only "
       "tagged message",
       {{"+example.com/foo", "bar"}},
       "irc.example.com",
       "NOTICE",
       {"#channel", "A vendor-prefixed client-only tagged message"}},
      {R"(@+example=raw+:=,escaped\:\s\\ :irc.example.com NOTICE #channel :Message)",
       {{"+example", R"(raw+:=,escaped; \)"}},
       "irc.example.com",
       "NOTICE",
       {"#channel", "Message"}},
      {"@+example-client-tag=example-value TAGMSG @#channel",
       {{"+example-client-tag", "example-value"}},
       "",
       "TAGMSG",
       {"@#channel"}},
      {"@label=123;msgid=abc;+example-client-tag=example-value :nick!user@example.com TAGMSG "
       "#channel",
       {{"label", "123"}, {"msgid", "abc"}, {"+example-client-tag", "example-value"}},
       "nick!user@example.com",
       "TAGMSG",
       {"#channel"}},
      {":server.example.com 417 nick :Input line was too long",
       {},
       "server.example.com",
       "417",
       {"nick", "Input line was too long"}},

      // ircdocs parser-tests msg-split: spacing, trailing forms, escapes.
      {"foo bar baz asdf", {}, "", "FOO", {"bar", "baz", "asdf"}},
      {":coolguy foo bar baz asdf", {}, "coolguy", "FOO", {"bar", "baz", "asdf"}},
      {"foo bar baz :asdf quux", {}, "", "FOO", {"bar", "baz", "asdf quux"}},
      {"foo bar baz :", {}, "", "FOO", {"bar", "baz", ""}},
      {"foo bar baz ::asdf", {}, "", "FOO", {"bar", "baz", ":asdf"}},
      {":coolguy foo bar baz :  asdf quux ", {}, "coolguy", "FOO", {"bar", "baz", "  asdf quux "}},
      {":coolguy PRIVMSG bar :lol :) ", {}, "coolguy", "PRIVMSG", {"bar", "lol :) "}},
      {":coolguy foo bar baz :  ", {}, "coolguy", "FOO", {"bar", "baz", "  "}},
      {"@a=b;c=32;k;rt=ql7 foo",
       {{"a", "b"}, {"c", "32"}, {"k", ""}, {"rt", "ql7"}},
       "",
       "FOO",
       {}},
      {R"(@a=b\\and\nk;c=72\s45;d=gh\:764 foo)",
       {{"a", "b\\and\nk"}, {"c", "72 45"}, {"d", "gh;764"}},
       "",
       "FOO",
       {}},
      {"@c;h=;a=b :quux ab cd", {{"c", ""}, {"h", ""}, {"a", "b"}}, "quux", "AB", {"cd"}},
      {":src JOIN #chan", {}, "src", "JOIN", {"#chan"}},
      {":src JOIN :#chan", {}, "src", "JOIN", {"#chan"}},
      {":src AWAY", {}, "src", "AWAY", {}},
      {":src AWAY ", {}, "src", "AWAY", {}},
      {":cool\tguy foo bar baz", {}, "cool\tguy", "FOO", {"bar", "baz"}},
      {":coolguy!ag@net\x03"
       "5w\x03ork.admin PRIVMSG foo :bar baz",
       {},
       "coolguy!ag@net\x03"
       "5w\x03ork.admin",
       "PRIVMSG",
       {"foo", "bar baz"}},
      {"@tag1=value1;tag2;vendor1/tag3=value2;vendor2/tag4= :irc.example.com COMMAND param1 "
       "param2 :param3 param3",
       {{"tag1", "value1"}, {"tag2", ""}, {"vendor1/tag3", "value2"}, {"vendor2/tag4", ""}},
       "irc.example.com",
       "COMMAND",
       {"param1", "param2", "param3 param3"}},
      {"COMMAND", {}, "", "COMMAND", {}},
      {R"(@foo=\\\\\:\\s\s\r\n COMMAND)", {{"foo", "\\\\;\\s \r\n"}}, "", "COMMAND", {}},
      {":gravel.mozilla.org 432  #momo :Erroneous Nickname: Illegal characters",
       {},
       "gravel.mozilla.org",
       "432",
       {"#momo", "Erroneous Nickname: Illegal characters"}},
      {":gravel.mozilla.org MODE #tckk +n ", {}, "gravel.mozilla.org", "MODE", {"#tckk", "+n"}},
      {":services.esper.net MODE #foo-bar +o foobar  ",
       {},
       "services.esper.net",
       "MODE",
       {"#foo-bar", "+o", "foobar"}},
      {R"(@tag1=value\\ntest COMMAND)", {{"tag1", "value\\ntest"}}, "", "COMMAND", {}},
      {R"(@tag1=value\1 COMMAND)", {{"tag1", "value1"}}, "", "COMMAND", {}},
      {R"(@tag1=value1\ COMMAND)", {{"tag1", "value1"}}, "", "COMMAND", {}},
      {":SomeOp MODE #channel :+i", {}, "SomeOp", "MODE", {"#channel", "+i"}},
      {":SomeOp MODE #channel +oo SomeUser :AnotherUser",
       {},
       "SomeOp",
       "MODE",
       {"#channel", "+oo", "SomeUser", "AnotherUser"}},

      // What the session meets: registration, PING/PONG tokens (I3), CAP LS 302 continuation
      // lines (I1), numerics, ISUPPORT, nick in use (I4).
      {":irc.example.com 001 nick :Welcome", {}, "irc.example.com", "001", {"nick", "Welcome"}},
      {"PING :tmi.twitch.tv", {}, "", "PING", {"tmi.twitch.tv"}},
      {"PING LAG1712345678", {}, "", "PING", {"LAG1712345678"}},
      {"PING :token with spaces", {}, "", "PING", {"token with spaces"}},
      {":irc.test.local PONG irc.test.local :tweetup-42",
       {},
       "irc.test.local",
       "PONG",
       {"irc.test.local", "tweetup-42"}},
      {":irc.test.local CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL",
       {},
       "irc.test.local",
       "CAP",
       {"*", "LS", "*", "multi-prefix sasl=PLAIN,EXTERNAL"}},
      {":irc.test.local CAP * LS :message-tags server-time echo-message",
       {},
       "irc.test.local",
       "CAP",
       {"*", "LS", "message-tags server-time echo-message"}},
      {":irc.test.local CAP tweetbot ACK :message-tags echo-message",
       {},
       "irc.test.local",
       "CAP",
       {"tweetbot", "ACK", "message-tags echo-message"}},
      {":irc.test.local 005 tweetbot CHANTYPES=# PREFIX=(qaohv)~&@%+ BOT=B NICKLEN=30 :are "
       "supported by this server",
       {},
       "irc.test.local",
       "005",
       {"tweetbot", "CHANTYPES=#", "PREFIX=(qaohv)~&@%+", "BOT=B", "NICKLEN=30",
        "are supported by this server"}},
      {":irc.test.local 433 * tweetbot :Nickname is already in use",
       {},
       "irc.test.local",
       "433",
       {"*", "tweetbot", "Nickname is already in use"}},
      {":irc.test.local 353 tweetbot = #tweetup :@alice %bob carol",
       {},
       "irc.test.local",
       "353",
       {"tweetbot", "=", "#tweetup", "@alice %bob carol"}},
      {"AUTHENTICATE +", {}, "", "AUTHENTICATE", {"+"}},
      {"privmsg #c :lowercase command", {}, "", "PRIVMSG", {"#c", "lowercase command"}},

      // Twitch (T2): tags with badges, empty values, and \s in values.
      {"@badge-info=;badges=broadcaster/1,subscriber/0;color=#0D4200;display-name=Ronni;"
       "emotes=;id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;mod=0;room-id=1337;subscriber=0;"
       "tmi-sent-ts=1507246572675;turbo=1;user-id=1337;user-type= "
       ":ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #ronni :!tweetup Starbucks Alabaster 3pm",
       {{"badge-info", ""},
        {"badges", "broadcaster/1,subscriber/0"},
        {"color", "#0D4200"},
        {"display-name", "Ronni"},
        {"emotes", ""},
        {"id", "b34ccfc7-4977-403a-8a94-33c6bac34fb8"},
        {"mod", "0"},
        {"room-id", "1337"},
        {"subscriber", "0"},
        {"tmi-sent-ts", "1507246572675"},
        {"turbo", "1"},
        {"user-id", "1337"},
        {"user-type", ""}},
       "ronni!ronni@ronni.tmi.twitch.tv",
       "PRIVMSG",
       {"#ronni", "!tweetup Starbucks Alabaster 3pm"}},
      {R"(@msg-id=raid;system-msg=5\sraiders\sfrom\sTestChannel\shave\sjoined! :tmi.twitch.tv USERNOTICE #othertestchannel)",
       {{"msg-id", "raid"}, {"system-msg", "5 raiders from TestChannel have joined!"}},
       "tmi.twitch.tv",
       "USERNOTICE",
       {"#othertestchannel"}},

      // Line endings (MIRC "Compatibility with incorrect software") and stray spaces.
      {"PING :x\r\n", {}, "", "PING", {"x"}},
      {"PING :x\n", {}, "", "PING", {"x"}},
      {"PING :x\r", {}, "", "PING", {"x"}},
      {"  PING   x  ", {}, "", "PING", {"x"}},
      {"@a=1   :src   PRIVMSG   #c   :two  spaces",
       {{"a", "1"}},
       "src",
       "PRIVMSG",
       {"#c", "two  spaces"}},
      // Nameless tag segments are dropped, the rest kept.
      {"@;a=1;;=orphan;b PING x", {{"a", "1"}, {"b", ""}}, "", "PING", {"x"}},
      {"@ PING x", {}, "", "PING", {"x"}},
      // A value may hold '='; only the first one separates.
      {"@k=a=b PING x", {{"k", "a=b"}}, "", "PING", {"x"}},
      // Bytes that are not UTF-8 pass through: decoding is the caller's business.
      {"PRIVMSG #c :caf\xE9", {}, "", "PRIVMSG", {"#c", "caf\xE9"}},
  };
  return cases;
}

void check_message(const irc_message& got, const parse_case& want) {
  CHECK(got.tags == want.tags);
  CHECK(got.source == want.source);
  CHECK(got.command == want.command);
  CHECK(got.params == want.params);
}

}  // namespace

TEST_CASE("irc_message: parses the spec examples") {
  for (const parse_case& c : parse_cases()) {
    CAPTURE(c.line);
    const auto message = parse_irc_line(c.line);
    REQUIRE(message.has_value());
    check_message(*message, c);
  }
}

TEST_CASE("irc_message: every parsed example survives serialize and parse again") {
  for (const parse_case& c : parse_cases()) {
    CAPTURE(c.line);
    const auto message = parse_irc_line(c.line);
    REQUIRE(message.has_value());
    const auto wire = serialize(*message);
    REQUIRE(wire.has_value());
    CAPTURE(*wire);
    CHECK(wire->find_first_of(std::string_view("\0\r\n", 3)) == std::string::npos);
    const auto again = parse_irc_line(*wire);
    REQUIRE(again.has_value());
    CHECK(*again == *message);
    // The canonical form is a fixed point.
    CHECK(serialize(*again) == wire);
  }
}

TEST_CASE("irc_message: serializes to the canonical wire form") {
  const auto wire = [](const std::string& line) { return serialize(*parse_irc_line(line)); };
  // Trailing only when needed.
  CHECK(wire("PRIVMSG #chan :hi") == "PRIVMSG #chan hi");
  CHECK(wire("PRIVMSG #chan :hello world") == "PRIVMSG #chan :hello world");
  CHECK(wire("CAP * LIST :") == "CAP * LIST :");
  CHECK(wire(":dan!d@localhost PRIVMSG #chan ::-)") == ":dan!d@localhost PRIVMSG #chan ::-)");
  CHECK(wire(":src AWAY ") == ":src AWAY");
  // Single spaces, uppercased command.
  CHECK(wire("  privmsg   #c   x  ") == "PRIVMSG #c x");
  // Valueless and empty-valued tags are both written bare.
  CHECK(wire("@a=;b;c=1 PING x") == "@a;b;c=1 PING x");
  // Escapes are normalised: "\b" meant 'b', a lone trailing '\' meant nothing.
  CHECK(wire(R"(@k=\b\ PING x)") == "@k=b PING x");
  // The IRCv3 escaping example, in the other direction.
  CHECK(wire(R"(@+example=raw+:=,escaped\:\s\\ :irc.example.com NOTICE #channel :Message)") ==
        R"(@+example=raw+:=,escaped\:\s\\ :irc.example.com NOTICE #channel Message)");
}

TEST_CASE("irc_message: serializes messages the bot builds") {
  CHECK(serialize({{}, "", "CAP", {"LS", "302"}}) == "CAP LS 302");
  CHECK(serialize({{}, "", "CAP", {"REQ", "message-tags server-time echo-message"}}) ==
        "CAP REQ :message-tags server-time echo-message");
  CHECK(serialize({{}, "", "CAP", {"END"}}) == "CAP END");
  CHECK(serialize({{}, "", "NICK", {"tweetbot"}}) == "NICK tweetbot");
  CHECK(serialize({{}, "", "USER", {"tweetbot", "0", "*", "Tweetup bot"}}) ==
        "USER tweetbot 0 * :Tweetup bot");
  CHECK(serialize({{}, "", "JOIN", {"#tweetup"}}) == "JOIN #tweetup");
  CHECK(serialize({{}, "", "privmsg", {"#tweetup", "Created: Starbucks at 3pm"}}) ==
        "PRIVMSG #tweetup :Created: Starbucks at 3pm");
  // PONG echoes the PING's token exactly (I3), whichever form it came in.
  for (const char* ping :
       {"PING :tmi.twitch.tv", "PING LAG1712345678", "PING :two words", "PING ::colon", "PING :"}) {
    CAPTURE(ping);
    irc_message pong = *parse_irc_line(ping);
    pong.command = "PONG";
    const auto line = serialize(pong);
    REQUIRE(line.has_value());
    CHECK(parse_irc_line(*line)->params == parse_irc_line(ping)->params);
  }
  CHECK(serialize({{}, "", "PONG", {"tmi.twitch.tv"}}) == "PONG tmi.twitch.tv");
  CHECK(serialize({{}, "", "PONG", {":colon"}}) == "PONG ::colon");
  // Tag values are escaped, CR and LF included.
  CHECK(serialize({{{"+draft/reply", "a;b c\\d\r\ne"}, {"flag", ""}}, "", "TAGMSG", {"#c"}}) ==
        R"(@+draft/reply=a\:b\sc\\d\r\ne;flag TAGMSG #c)");
  // A source is written when set (servers and tests use it).
  CHECK(serialize({{}, "nick!user@host", "PRIVMSG", {"#c", "hi there"}}) ==
        ":nick!user@host PRIVMSG #c :hi there");
  // Fifteen parameters are allowed.
  params_t fifteen;
  for (int i = 1; i <= 15; ++i)
    fifteen.push_back(std::to_string(i));
  CHECK(serialize({{}, "", "CMD", fifteen}) == "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15");
}

TEST_CASE("irc_message: serialize refuses what would not parse back to itself") {
  const auto refused = [](const irc_message& m) { return !serialize(m).has_value(); };
  // Line injection through any part (I7).
  CHECK(refused({{}, "", "PRIVMSG", {"#c", "hi\r\nQUIT :bye"}}));
  CHECK(refused({{}, "", "PRIVMSG", {"#c", "hi\rQUIT"}}));
  CHECK(refused({{}, "", "PRIVMSG", {"#c", "hi\nQUIT"}}));
  CHECK(refused({{}, "", "PRIVMSG", {"#c", std::string("hi\0there", 8)}}));
  CHECK(refused({{}, "", "PRIVMSG", {"#c\r\nQUIT", "x"}}));
  CHECK(refused({{}, "a\nb", "PRIVMSG", {"#c", "x"}}));
  CHECK(refused({{}, std::string("a\0b", 3), "PRIVMSG", {"#c", "x"}}));
  CHECK(refused({{}, "", "PRIVMSG\r\nQUIT", {"#c", "x"}}));
  CHECK(refused({{{"k", std::string("a\0b", 3)}}, "", "PING", {"x"}}));
  CHECK(refused({{{"k\r\n", "v"}}, "", "PING", {"x"}}));
  // Tag keys that cannot be written.
  CHECK(refused({{{"", "v"}}, "", "PING", {"x"}}));
  CHECK(refused({{{"a=b", "v"}}, "", "PING", {"x"}}));
  CHECK(refused({{{"a;b", "v"}}, "", "PING", {"x"}}));
  CHECK(refused({{{"a b", "v"}}, "", "PING", {"x"}}));
  // Source with a space.
  CHECK(refused({{}, "nick !u@h", "PRIVMSG", {"#c", "x"}}));
  // Commands that are neither letters nor three digits.
  CHECK(refused({{}, "", "", {"x"}}));
  CHECK(refused({{}, "", "PRIV MSG", {"x"}}));
  CHECK(refused({{}, "", "PRIVMSG2", {"x"}}));
  CHECK(refused({{}, "", "01", {"x"}}));
  CHECK(refused({{}, "", "0001", {"x"}}));
  CHECK(refused({{}, "", "PRIVMSG\xC3\xA9", {"x"}}));
  // Middle parameters that are empty, start with ':' or hold a space.
  CHECK(refused({{}, "", "PRIVMSG", {"", "x"}}));
  CHECK(refused({{}, "", "PRIVMSG", {":c", "x"}}));
  CHECK(refused({{}, "", "PRIVMSG", {"#a b", "x"}}));
  // More than fifteen parameters.
  params_t sixteen(16, "p");
  CHECK(refused({{}, "", "CMD", sixteen}));
  // And the same parts are fine where they belong: the last parameter may be anything else.
  CHECK_FALSE(refused({{}, "", "PRIVMSG", {"#c", ""}}));
  CHECK_FALSE(refused({{}, "", "PRIVMSG", {"#c", ":x y"}}));
  CHECK_FALSE(refused({{{"k", "a\r\nb"}}, "", "PING", {"x"}}));
}

TEST_CASE("irc_message: rejects malformed lines") {
  const std::vector<std::string> bad{
      "",
      "\r\n",
      "\n",
      "   ",
      "  \r\n",
      ":",
      ": PING x",                     // empty source
      ":src",                         // no command
      ":src   ",                      //
      "@a=b",                         // tags only
      "@a=b :src",                    //
      "@a=b   ",                      //
      "PRIVMSG1 #c :x",               // letters and digits
      "12 x",                         // two digits
      "1234 x",                       // four digits
      "PING\t:x",                     // TAB is no separator
      "\xC3\xA9 x",                   // a non-ASCII command
      ":src 00a x",                   //
      "PING :a\rb",                   // CR inside
      "PING :a\nb",                   // LF inside
      "PING :x\r\n\r\n",              // two line endings: only one is stripped
      "PING :x\n\r",                  //
      "PRIVMSG #c :hi\r\nQUIT :bye",  // injection on the way in
      std::string("PING :a\0b", 9),   // NUL inside
      std::string("@a=b\0c PING x", 13),
      std::string("\0PING x", 7),
  };
  for (const std::string& line : bad) {
    CAPTURE(line);
    CHECK_FALSE(parse_irc_line(line).has_value());
  }
}

TEST_CASE("irc_message: at most fifteen parameters, extra ones folded into the last") {
  const auto fourteen = std::string("CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14");
  params_t expected;
  for (int i = 1; i <= 14; ++i)
    expected.push_back(std::to_string(i));

  auto with = [&](std::string last) {
    params_t p = expected;
    p.push_back(std::move(last));
    return p;
  };
  CHECK(parse_irc_line(fourteen)->params == expected);
  CHECK(parse_irc_line(fourteen + " 15")->params == with("15"));
  CHECK(parse_irc_line(fourteen + " 15 ")->params == with("15"));
  CHECK(parse_irc_line(fourteen + " 15 16  17  ")->params == with("15 16  17"));
  CHECK(parse_irc_line(fourteen + " :15 16 ")->params == with("15 16 "));
  CHECK(parse_irc_line(fourteen + " 15 :16")->params == with("15 :16"));
  CHECK(parse_irc_line(fourteen + "   :x")->params == with("x"));

  // The folded form serializes as a trailing parameter and parses back the same.
  const irc_message folded = *parse_irc_line(fourteen + " 15 16  17");
  const auto wire = serialize(folded);
  REQUIRE(wire.has_value());
  CHECK(*wire == fourteen + " :15 16  17");
  CHECK(*parse_irc_line(*wire) == folded);
}

TEST_CASE("irc_message: tag lookup takes the last duplicate") {
  const irc_message m = *parse_irc_line("@tag1=1;tag2=3;tag3=4;tag1=5;vendor/tag2=8 COMMAND");
  CHECK(m.tags.size() == 5);
  CHECK(m.tag_value("tag1") == "5");
  CHECK(m.tag_value("tag2") == "3");
  CHECK(m.tag_value("vendor/tag2") == "8");
  CHECK(m.tag_value("tag3") == "4");
  CHECK_FALSE(m.tag_value("tag4").has_value());
  CHECK_FALSE(m.tag_value("TAG1").has_value());  // keys are opaque: no case folding

  const irc_message twitch = *parse_irc_line(
      "@badge-info=;badges=moderator/1 :mod!mod@mod.tmi.twitch.tv PRIVMSG #ronni :!join 1");
  CHECK(twitch.tag_value("badges") == "moderator/1");
  REQUIRE(twitch.tag_value("badge-info").has_value());
  CHECK(twitch.tag_value("badge-info")->empty());
}

TEST_CASE("irc_message: parameter access and numerics") {
  const irc_message welcome = *parse_irc_line(":irc.example.com 001 nick :Welcome");
  CHECK(welcome.is_numeric());
  CHECK(welcome.param(0) == "nick");
  CHECK(welcome.param(1) == "Welcome");
  CHECK(welcome.param(2).empty());
  CHECK(welcome.param(99).empty());
  CHECK_FALSE(parse_irc_line("PING x")->is_numeric());
}

TEST_CASE("irc_message: source splits into nick, user and host") {
  struct source_case {
    std::string source;
    std::string_view nick, user, host;
  };
  // ircdocs parser-tests userhost-split, plus the shapes the bot sees.
  const std::vector<source_case> cases{
      {"coolguy!ag@127.0.0.1", "coolguy", "ag", "127.0.0.1"},
      {"coolguy!~ag@localhost", "coolguy", "~ag", "localhost"},
      {"coolguy@127.0.0.1", "coolguy", "", "127.0.0.1"},
      {"coolguy!ag", "coolguy", "ag", ""},
      {"coolguy!ag@net\x03"
       "5w\x03ork.admin",
       "coolguy", "ag",
       "net\x03"
       "5w\x03ork.admin"},
      {"coolguy", "coolguy", "", ""},
      {"irc.example.com", "irc.example.com", "", ""},
      {"ronni!ronni@ronni.tmi.twitch.tv", "ronni", "ronni", "ronni.tmi.twitch.tv"},
      {"a!b!c@d@e", "a", "b!c", "d@e"},
      {"", "", "", ""},
  };
  for (const source_case& c : cases) {
    CAPTURE(c.source);
    irc_message m;
    m.source = c.source;
    CHECK(m.source_nick() == c.nick);
    CHECK(m.source_user() == c.user);
    CHECK(m.source_host() == c.host);
  }
  const irc_message parsed = *parse_irc_line(":dan!d@localhost PRIVMSG #chan :Hey!");
  CHECK(parsed.source_nick() == "dan");
  CHECK(parsed.source_user() == "d");
  CHECK(parsed.source_host() == "localhost");
}

TEST_CASE("irc_message: tag value escaping both ways") {
  using tweetup::irc::escape_tag_value;
  using tweetup::irc::unescape_tag_value;
  CHECK(escape_tag_value("") == "");
  CHECK(escape_tag_value("plain") == "plain");
  CHECK(escape_tag_value(";") == R"(\:)");
  CHECK(escape_tag_value(" ") == R"(\s)");
  CHECK(escape_tag_value("\\") == R"(\\)");
  CHECK(escape_tag_value("\r") == R"(\r)");
  CHECK(escape_tag_value("\n") == R"(\n)");
  CHECK(escape_tag_value(R"(raw+:=,escaped; \)") == R"(raw+:=,escaped\:\s\\)");

  CHECK(unescape_tag_value(R"(raw+:=,escaped\:\s\\)") == R"(raw+:=,escaped; \)");
  CHECK(unescape_tag_value(R"(\r\n)") == "\r\n");
  CHECK(unescape_tag_value(R"(test\)") == "test");  // IRCv3: lone trailing backslash dropped
  CHECK(unescape_tag_value(R"(\)") == "");
  CHECK(unescape_tag_value(R"(\\)") == "\\");
  CHECK(unescape_tag_value(R"(\\\)") == "\\");
  CHECK(unescape_tag_value(R"(\b\1)") == "b1");
  CHECK(unescape_tag_value(R"(\\n)") == R"(\n)");  // one character at a time
  CHECK(unescape_tag_value(R"(\\s\s)") == R"(\s )");

  for (const std::string value :
       {"", "a b;c\\d\r\ne", "\\\\;;  ", "trailing\\", "\xE6\x97\xA5\xE6\x9C\xAC"}) {
    CAPTURE(value);
    CHECK(unescape_tag_value(escape_tag_value(value)) == value);
  }
}

// prid-exporter's parts: --listen parsing, the /metrics endpoint against a
// scripted scrape, and the HTTP server answering a real TCP client.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <sstream>

#include "exporter/http_server.h"
#include "exporter/listen_address.h"
#include "exporter/metrics_endpoint.h"
#include "tests/exporter/http_get.h"

namespace prid::exporter {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(ListenAddress, Ipv4LiteralAndPort) {
  auto address = ParseListenAddress("127.0.0.1:9817");
  ASSERT_TRUE(address) << address.error();
  ASSERT_EQ(address->address.ss_family, AF_INET);
  const auto* in = reinterpret_cast<const sockaddr_in*>(&address->address);
  EXPECT_EQ(ntohs(in->sin_port), 9817);
  EXPECT_EQ(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
  EXPECT_FALSE(address->ipv6());
}

TEST(ListenAddress, Ipv6LiteralInBrackets) {
  auto address = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(address) << address.error();
  EXPECT_TRUE(address->ipv6());
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in6*>(&address->address)->sin6_port), 0);
}

TEST(ListenAddress, MalformedValuesSayWhatIsWrong) {
  EXPECT_THAT(ParseListenAddress("9817").error(), HasSubstr("expected HOST:PORT"));
  EXPECT_THAT(ParseListenAddress(":9817").error(), HasSubstr("no host"));
  EXPECT_THAT(ParseListenAddress("::1:9817").error(), HasSubstr("brackets"));
  EXPECT_THAT(ParseListenAddress("127.0.0.1:http").error(), HasSubstr("0-65535"));
  EXPECT_THAT(ParseListenAddress("127.0.0.1:65536").error(), HasSubstr("0-65535"));
  EXPECT_THAT(ParseListenAddress("127.0.0.1:").error(), HasSubstr("0-65535"));
  EXPECT_THAT(ParseListenAddress("no.such.host.invalid:9817").error(), StartsWith("--listen no.such.host.invalid:9817: "));
}

cli::MetricsQuery UpQuery() {
  cli::MetricsQuery query;
  query.snapshot.up = true;
  query.snapshot.status = {{"calls", {{"active", 3}}}};
  return query;
}

cli::MetricsQuery DownQuery() {
  cli::MetricsQuery query;
  query.problems = {"cannot connect to prid at /x.sock: No such file or directory"};
  return query;
}

TEST(MetricsEndpoint, GetMetricsScrapesAfreshEachTime) {
  int scrapes = 0;
  std::ostringstream log;
  MetricsEndpoint endpoint([&] { ++scrapes; return UpQuery(); }, log);
  HttpReply first = endpoint.Handle("GET", "/metrics");
  HttpReply second = endpoint.Handle("GET", "/metrics");
  EXPECT_EQ(scrapes, 2);
  EXPECT_EQ(first.status, 200u);
  EXPECT_EQ(first.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(first.body, HasSubstr("\nprid_up 1\n"));
  EXPECT_THAT(second.body, HasSubstr("\nprid_calls_active 3\n"));
  EXPECT_EQ(log.str(), "");
}

TEST(MetricsEndpoint, UnreachablePridIsA200WithUpZeroLoggedOnceUntilItAnswers) {
  bool up = false;
  std::ostringstream log;
  MetricsEndpoint endpoint([&] { return up ? UpQuery() : DownQuery(); }, log);
  HttpReply reply = endpoint.Handle("GET", "/metrics");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_THAT(reply.body, HasSubstr("\nprid_up 0\n"));
  (void)endpoint.Handle("GET", "/metrics");
  EXPECT_EQ(log.str(), "prid-exporter: cannot connect to prid at /x.sock: No such file or directory\n");
  up = true;
  (void)endpoint.Handle("GET", "/metrics");
  (void)endpoint.Handle("GET", "/metrics");
  EXPECT_EQ(log.str(),
            "prid-exporter: cannot connect to prid at /x.sock: No such file or directory\n"
            "prid-exporter: prid answers every request again\n");
}

TEST(MetricsEndpoint, OtherPathsAre404AndOtherMethods405WithoutScraping) {
  int scrapes = 0;
  std::ostringstream log;
  MetricsEndpoint endpoint([&] { ++scrapes; return UpQuery(); }, log);
  EXPECT_EQ(endpoint.Handle("GET", "/").status, 404u);
  EXPECT_EQ(endpoint.Handle("GET", "/metrics/x").status, 404u);
  EXPECT_EQ(endpoint.Handle("GET", "/metricsx").status, 404u);
  HttpReply post = endpoint.Handle("POST", "/metrics");
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.allow, "GET, HEAD");
  EXPECT_EQ(scrapes, 0);
  EXPECT_EQ(endpoint.Handle("HEAD", "/metrics").status, 200u);
}

TEST(HttpServer, AnswersARealClientOnTheChosenPort) {
  auto address = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(address) << address.error();
  auto server = HttpServer::Start(*address, [](std::string_view method, std::string_view path) {
    if (path != "/hello") return HttpReply{404, "text/plain", "nope\n", ""};
    return HttpReply{200, "text/x-test", std::string(method) + " ok\n", ""};
  });
  ASSERT_TRUE(server) << server.error();
  const std::uint16_t port = (*server)->port();
  ASSERT_NE(port, 0);

  testing::HttpResponse hello = testing::HttpGet(port, "/hello");
  EXPECT_EQ(hello.status, 200);
  EXPECT_THAT(hello.headers, HasSubstr("Content-Type: text/x-test"));
  EXPECT_EQ(hello.body, "GET ok\n");
  testing::HttpResponse missing = testing::HttpGet(port, "/other");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "nope\n");
  testing::HttpResponse head = testing::HttpGet(port, "/hello", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

TEST(HttpServer, AHandlerThatThrowsIsA500) {
  auto address = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(address);
  auto server = HttpServer::Start(*address, [](std::string_view, std::string_view) -> HttpReply {
    throw std::runtime_error("broken");
  });
  ASSERT_TRUE(server) << server.error();
  testing::HttpResponse reply = testing::HttpGet((*server)->port(), "/");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.body, "internal error: broken\n");
}

TEST(HttpServer, AnAddressInUseIsAnErrorNamingIt) {
  auto address = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(address);
  auto first = HttpServer::Start(*address, [](std::string_view, std::string_view) { return HttpReply{}; });
  ASSERT_TRUE(first) << first.error();
  auto taken = ParseListenAddress("127.0.0.1:" + std::to_string((*first)->port()));
  ASSERT_TRUE(taken);
  auto second = HttpServer::Start(*taken, [](std::string_view, std::string_view) { return HttpReply{}; });
  ASSERT_FALSE(second);
  EXPECT_THAT(second.error(), HasSubstr("cannot listen on 127.0.0.1:"));
}

}  // namespace
}  // namespace prid::exporter

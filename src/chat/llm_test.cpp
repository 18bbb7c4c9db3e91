// Tests of the language-model answerer against a stand-in chat-completions
// server on 127.0.0.1: request shape, citation checking, and fallbacks.
#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "chat/chat.h"
#include "chat/test_documents.h"

namespace ocrchat::chat {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

json Completion(const std::string& content) {
  return {{"id", "cmpl-1"},
          {"object", "chat.completion"},
          {"choices", {{{"index", 0},
                        {"message", {{"role", "assistant"}, {"content", content}}},
                        {"finish_reason", "stop"}}}}};
}

// Speaks POST /v1/chat/completions with a canned reply; /slow/... answers
// after 1.5 s, /fail/... with HTTP 500, /garbage/... with non-JSON.
class StandInServer {
 public:
  StandInServer() {
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      last_body_ = req.body;
      last_authorization_ = req.get_header_value("Authorization");
      res.set_content(Completion(reply_).dump(), "application/json");
    });
    server_.Post("/slow/v1/chat/completions", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content(Completion("Too late (p. 1).").dump(), "application/json");
    });
    server_.Post("/fail/v1/chat/completions", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content(R"({"error": "model crashed"})", "application/json");
    });
    server_.Post("/garbage/v1/chat/completions",
                 [](const httplib::Request&, httplib::Response& res) {
                   res.set_content("<html>proxy error</html>", "text/html");
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~StandInServer() {
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& prefix = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + prefix + "/v1";
  }
  void SetReply(std::string reply) {
    std::lock_guard lock(mutex_);
    reply_ = std::move(reply);
  }
  json LastBody() {
    std::lock_guard lock(mutex_);
    return json::parse(last_body_);
  }
  std::string LastAuthorization() {
    std::lock_guard lock(mutex_);
    return last_authorization_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::string reply_;
  std::string last_body_;
  std::string last_authorization_;
};

core::Document Invoice() {
  core::Document doc;
  doc.pages.push_back(TextPage(0, {"Quarterly report of Northwind Traders",
                                   "Sales grew by twelve percent in the third quarter."}));
  doc.pages.push_back(TextPage(1, {"Service report", "Date: 15/03/2021",
                                   "The engineer replaced the pump bearings and cleaned the "
                                   "filters."}));
  doc.pages.push_back(TextPage(2, {"INVOICE", "Invoice No: INV-2041",
                                   "Subtotal: 1,100.00\nTax: 150.00\nTotal due: 1,250.00"}));
  return doc;
}

void ExpectGrounded(const core::Document& doc, const Reply& reply) {
  for (const Citation& citation : reply.message.citations) {
    ASSERT_GE(citation.page, 1);
    ASSERT_LE(citation.page, static_cast<int>(doc.pages.size()));
    EXPECT_NE(doc.pages[citation.page - 1].Text().find(citation.snippet), std::string::npos);
  }
}

class LlmTest : public ::testing::Test {
 protected:
  Reply Ask(const std::string& url, const std::string& question,
            const std::vector<Message>& history = {}, int timeout_ms = 5000) {
    auto answerer = MakeLlmAnswerer({url, "stand-in-model", "sk-test", timeout_ms});
    core::Result<Reply> reply = answerer->Answer(doc_, history, question);
    EXPECT_TRUE(reply.has_value());
    if (!reply) return {};
    EXPECT_EQ(reply->message.role, "assistant");
    ExpectGrounded(doc_, *reply);
    return *reply;
  }

  StandInServer server_;
  core::Document doc_ = Invoice();
};

TEST_F(LlmTest, SendsPassagesHistoryAndKeyAndKeepsSupportedCitations) {
  server_.SetReply("The total due is 1,250.00 (p. 3).");
  std::vector<Message> history = {{"user", "Who wrote the report?", {}},
                                  {"assistant", "Northwind Traders (p. 1).", {{1, "x"}}}};
  Reply reply = Ask(server_.Url(), "What is the total?", history);
  EXPECT_EQ(reply.message.content, "The total due is 1,250.00 (p. 3).");
  ASSERT_EQ(reply.message.citations.size(), 1u);
  EXPECT_EQ(reply.message.citations[0].page, 3);
  EXPECT_THAT(reply.message.citations[0].snippet, HasSubstr("1,250.00"));
  EXPECT_TRUE(reply.warnings.empty());

  EXPECT_EQ(server_.LastAuthorization(), "Bearer sk-test");
  json body = server_.LastBody();
  EXPECT_EQ(body["model"], "stand-in-model");
  const json& messages = body["messages"];
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0]["role"], "system");
  EXPECT_THAT(messages[0]["content"].get<std::string>(), HasSubstr("(p. N)"));
  EXPECT_EQ(messages[1]["content"], "Who wrote the report?");
  EXPECT_EQ(messages[2]["role"], "assistant");
  std::string last = messages[3]["content"];
  EXPECT_EQ(messages[3]["role"], "user");
  EXPECT_THAT(last, HasSubstr("[p. 3] Total due: 1,250.00"));
  EXPECT_THAT(last, HasSubstr("Question: What is the total?"));
}

TEST_F(LlmTest, DropsCitationsOfPagesThatDoNotExist) {
  server_.SetReply("The total is 1,250.00 (p. 7).");
  Reply reply = Ask(server_.Url(), "What is the total?");
  EXPECT_TRUE(reply.message.citations.empty());
  EXPECT_THAT(reply.message.content, Not(HasSubstr("p. 7")));
  EXPECT_THAT(reply.message.content, HasSubstr("1,250.00"));
  ASSERT_EQ(reply.warnings.size(), 1u);
  EXPECT_THAT(reply.warnings[0], HasSubstr("page 7"));
}

TEST_F(LlmTest, DropsCitationsThePageDoesNotSupport) {
  server_.SetReply(
      "The engineer replaced the pump bearings (p. 2, p. 9). The sky was purple (p. 1).");
  Reply reply = Ask(server_.Url(), "What did the engineer do?");
  ASSERT_EQ(reply.message.citations.size(), 1u);
  EXPECT_EQ(reply.message.citations[0].page, 2);
  EXPECT_THAT(reply.message.citations[0].snippet, HasSubstr("pump bearings"));
  EXPECT_EQ(reply.message.content,
            "The engineer replaced the pump bearings (p. 2). The sky was purple.");
  EXPECT_EQ(reply.warnings.size(), 2u);
}

TEST_F(LlmTest, KeepsANotFoundAnswerWithoutCitations) {
  server_.SetReply("The document does not contain that information.");
  Reply reply = Ask(server_.Url(), "What is the patient's blood type?");
  EXPECT_EQ(reply.message.content, "The document does not contain that information.");
  EXPECT_TRUE(reply.message.citations.empty());
  EXPECT_TRUE(reply.warnings.empty());
}

TEST_F(LlmTest, FallsBackToExtractionOnTimeout) {
  Reply reply = Ask(server_.Url("/slow"), "What is the total?", {}, 300);
  EXPECT_THAT(reply.message.content, HasSubstr("1,250.00 (p. 3)"));
  ASSERT_FALSE(reply.message.citations.empty());
  EXPECT_EQ(reply.message.citations[0].page, 3);
  ASSERT_EQ(reply.warnings.size(), 1u);
  EXPECT_THAT(reply.warnings[0], HasSubstr("the language model did not answer (no reply within 300 ms)"));
  EXPECT_THAT(reply.warnings[0], HasSubstr("this answer was extracted from the document"));
}

TEST_F(LlmTest, FallsBackToExtractionOnServerError) {
  Reply reply = Ask(server_.Url("/fail"), "What is the total?");
  EXPECT_THAT(reply.message.content, HasSubstr("1,250.00 (p. 3)"));
  ASSERT_EQ(reply.warnings.size(), 1u);
  EXPECT_THAT(reply.warnings[0], HasSubstr("HTTP 500"));

  Reply garbage = Ask(server_.Url("/garbage"), "What is the total?");
  ASSERT_EQ(garbage.warnings.size(), 1u);
  EXPECT_THAT(garbage.warnings[0], HasSubstr("malformed reply"));
}

TEST_F(LlmTest, FallsBackWhenNothingListensOrTheUrlIsBad) {
  // Port 1 is privileged and unused: the connection is refused at once.
  Reply refused = Ask("http://127.0.0.1:1/v1", "What is the total?");
  EXPECT_THAT(refused.message.content, HasSubstr("1,250.00"));
  ASSERT_EQ(refused.warnings.size(), 1u);
  EXPECT_THAT(refused.warnings[0], HasSubstr("the language model did not answer"));

  Reply bad = Ask("ftp://127.0.0.1/v1", "What is the blood type?");
  EXPECT_EQ(bad.message.content, kNotFoundAnswer);
  ASSERT_EQ(bad.warnings.size(), 1u);
  EXPECT_THAT(bad.warnings[0], HasSubstr("bad URL"));
}

TEST_F(LlmTest, RejectsABlankQuestion) {
  auto answerer = MakeLlmAnswerer({server_.Url(), "m", "", 1000});
  core::Result<Reply> reply = answerer->Answer(doc_, {}, " ");
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code, core::ErrorCode::kInvalidParameter);
}

TEST(LlmFieldsTest, FieldsGoToTheModelAsGroundedContext) {
  StandInServer server;
  // Citations are checked against the page's text as before: the model
  // quotes the printed form the fields give it.
  server.SetReply("The total is 717.97 EUR (printed \"€ 717,97\") (p. 1).");
  core::Document doc;
  doc.pages.push_back(BoxedPage(0, {{200, {{"Factuurnummer:", 100}, {"993548900", 500}}},
                                    {900, {{"Totaal", 1000}, {"€ 717,97", 1400}}}}));
  auto answerer = MakeLlmAnswerer({server.Url(), "stand-in-model", "", 5000});
  core::Result<Reply> reply = answerer->Answer(doc, {}, "What is the invoice total?");
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->message.citations.size(), 1u);
  EXPECT_THAT(reply->message.citations[0].snippet, HasSubstr("717,97"));
  std::string sent = server.LastBody()["messages"].back()["content"];
  EXPECT_THAT(sent, HasSubstr("Fields read from the document's layout:"));
  EXPECT_THAT(sent, HasSubstr("[p. 1] total: 717.97 EUR"));
  // A question no field answers sends none.
  answerer->Answer(doc, {}, "Summarise the document");
  std::string plain = server.LastBody()["messages"].back()["content"];
  EXPECT_THAT(plain, ::testing::Not(HasSubstr("Fields read")));
}

}  // namespace
}  // namespace ocrchat::chat

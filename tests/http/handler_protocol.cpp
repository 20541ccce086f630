// Routing, bodies and validation as Better Auth's router answers them, and the limits anonauth
// adds: every refusal has its status and code, and changes nothing.
#include "http_fixtures.hpp"

#include <string>

using namespace http_fixtures;

namespace {

const std::vector<http::header> json_type{{"Content-Type", "application/json"}};

template <class Server>
std::size_t users(Server& s) {
  return s.auth.template table<user>().count();
}

}  // namespace

TEST_CASE("http.routing_404_for_what_is_not_an_endpoint", "[http][routing]") {
  server<> s;
  for (const char* target : {"/api/auth", "/api/auth/", "/api/auth/nothing", "/api/auth//get-session",
                             "/api/auth/get-session/", "/api/authget-session", "/other/get-session", "/",
                             "/api/auth/sign-in", "/api/auth/sign-in/anonymous/x"}) {
    CAPTURE(target);
    auto r = s.handler(raw("GET", target));
    CHECK(r.status == 404);
    CHECK(r.body.empty());
    CHECK_FALSE(s.handler.handles(raw("GET", "/other")));
  }
  // A wrong method is 404 too, as in Better Auth, except POST /get-session.
  CHECK(s.handler(raw("GET", "/api/auth/sign-in/anonymous")).status == 404);
  CHECK(s.handler(raw("HEAD", "/api/auth/get-session")).status == 404);
  CHECK(s.handler(raw("PUT", "/api/auth/update-user")).status == 404);
  CHECK(s.handler(raw("OPTIONS", "/api/auth/sign-in/anonymous")).status == 404);
  CHECK(s.handler(raw("post", "/api/auth/sign-in/anonymous")).status == 404);  // methods are case-sensitive
  auto post_session = s.handler(raw("POST", "/api/auth/get-session"));
  CHECK(post_session.status == 405);
  CHECK(error_of(post_session) ==
        std::pair<std::string, std::string>{"METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
                                            "POST method requires deferSessionRefresh to be enabled in session config"});
  CHECK(users(s) == 0);
  CHECK(s.handler.handles(raw("GET", "/api/auth/get-session?x=1")));
}

TEST_CASE("http.base_path_comes_from_the_base_url", "[http][routing]") {
  auto o = default_options();
  o.base_url = "http://localhost:3000/auth/";
  server<> s{o};
  CHECK(s.handler.base_path() == "/auth");
  CHECK(s.handler(raw("GET", "/auth/ok")).status == 200);
  CHECK(s.handler(raw("GET", "/api/auth/ok")).status == 404);
  auto p = default_options();
  p.base_path = "/v1/identity";
  server<> t{p};
  CHECK(t.handler(raw("GET", "/v1/identity/ok")).status == 200);
}

TEST_CASE("http.bodies_json_or_415", "[http][body]") {
  server<> s;
  auto plain = s.handler(raw("POST", "/api/auth/sign-in/anonymous", {{"Content-Type", "text/plain"}}, "{}"));
  CHECK(plain.status == 415);
  CHECK(error_of(plain) == std::pair<std::string, std::string>{
                               "UNSUPPORTED_MEDIA_TYPE", R"(Content-Type "text/plain" is not allowed. Allowed types: application/json)"});
  auto form_on_json_only = s.handler(raw("POST", "/api/auth/sign-in/anonymous",
                                         {{"Content-Type", "application/x-www-form-urlencoded"}}, "a=b"));
  CHECK(form_on_json_only.status == 415);
  auto sign_up_plain = s.handler(raw("POST", "/api/auth/sign-up/email", {{"Content-Type", "text/plain"}}, "{}"));
  CHECK(error_of(sign_up_plain).second ==
        R"(Content-Type "text/plain" is not allowed. Allowed types: application/x-www-form-urlencoded, application/json)");
  auto missing = s.handler(raw("POST", "/api/auth/sign-in/anonymous", {}, "{}"));
  CHECK(missing.status == 415);
  CHECK(error_of(missing).second == "Content-Type is required. Allowed types: application/json");
  // A charset parameter is fine.
  CHECK(s.handler(raw("POST", "/api/auth/sign-in/anonymous", {{"Content-Type", "application/json; charset=utf-8"}}, "{}"))
            .status == 200);
  CHECK(users(s) == 1);
}

TEST_CASE("http.malformed_and_hostile_json_is_400_and_changes_nothing", "[http][body][hostile]") {
  server<> s;
  auto post = [&](std::string body) { return s.handler(raw("POST", "/api/auth/sign-up/email", json_type, std::move(body))); };
  const std::pair<std::string, std::string> invalid{"BAD_REQUEST", "Invalid JSON in request body"};
  CHECK(error_of(post(R"({"email":"a@b.co","password":"12345678")")) == invalid);
  CHECK(error_of(post("{} trailing")) == invalid);
  CHECK(error_of(post("{\"name\":\"\xff\"}")) == invalid);          // invalid UTF-8
  CHECK(error_of(post("{\"name\":\"\xc0\xaf\"}")) == invalid);      // overlong
  CHECK(error_of(post(R"({"name":"a",})")) == invalid);             // trailing comma
  CHECK(error_of(post(R"({"name":"a"/*c*/})")) == invalid);         // comment
  auto duplicate = post(R"({"email":"a@b.co","email":"b@b.co","password":"correct horse battery","name":"a"})");
  CHECK(duplicate.status == 400);
  CHECK(error_of(duplicate) == std::pair<std::string, std::string>{"BAD_REQUEST", "Invalid JSON in request body: a key appears twice"});
  auto deep = post(std::string(100, '[') + std::string(100, ']'));
  CHECK(deep.status == 400);
  CHECK(error_of(deep).second == "Invalid JSON in request body: nested too deeply");
  CHECK(users(s) == 0);
}

TEST_CASE("http.limits_413_and_431", "[http][hostile]") {
  auto o = default_options();
  o.limits.max_body = 1024;
  o.limits.max_headers = 10;
  o.limits.max_header_bytes = 512;
  server<> s{o};
  auto big = s.handler(raw("POST", "/api/auth/sign-in/anonymous", json_type, "{\"a\":\"" + std::string(2000, 'x') + "\"}"));
  CHECK(big.status == 413);
  CHECK(error_of(big).first == "PAYLOAD_TOO_LARGE");
  std::vector<http::header> many(11, http::header{"X-A", "b"});
  CHECK(s.handler(raw("GET", "/api/auth/ok", many)).status == 431);
  CHECK(s.handler(raw("GET", "/api/auth/ok", {{"X-Long", std::string(600, 'a')}})).status == 431);
  CHECK(error_of(s.handler(raw("GET", "/api/auth/ok", {{"X-Long", std::string(600, 'a')}}))).first ==
        "REQUEST_HEADER_FIELDS_TOO_LARGE");
  CHECK(s.handler(raw("GET", "/api/auth/ok", {{"X-Fine", std::string(100, 'a')}})).status == 200);
  CHECK(users(s) == 0);
}

TEST_CASE("http.validation_errors_are_zods_messages", "[http][validation]") {
  server<> s;
  auto post = [&](std::string path, std::string body) {
    return s.handler(raw("POST", "/api/auth" + path, json_type, std::move(body)));
  };
  auto expect = [](const http::response& r, std::string message) {
    CHECK(r.status == 400);
    CHECK(error_of(r) == std::pair<std::string, std::string>{"VALIDATION_ERROR", message});
  };
  expect(post("/sign-up/email", "{}"),
         "[body.name] Invalid input: expected string, received undefined; [body.email] Invalid input: expected string, "
         "received undefined; [body.password] Invalid input: expected string, received undefined");
  expect(post("/sign-up/email", R"({"email":"x","password":"12345678","name":"a"})"), "[body.email] Invalid email address");
  expect(post("/sign-up/email", R"({"email":1,"password":"12345678","name":"a"})"),
         "[body.email] Invalid input: expected string, received number");
  expect(post("/sign-up/email", R"({"email":"a@b.co","password":"12345678","name":"a","rememberMe":"x"})"),
         "[body.rememberMe] Invalid input: expected boolean, received string");
  expect(post("/sign-up/email", R"({"email":"a@b.co","password":"12345678","name":"a","image":5})"),
         "[body.image] Invalid input: expected string, received number");
  expect(post("/sign-up/email", "[1]"),
         "[body] Invalid input: expected object, received array; [body] Invalid input: expected record, received array");
  expect(post("/sign-in/email", "{}"),
         "[body.email] Invalid input: expected string, received undefined; [body.password] Invalid input: expected string, "
         "received undefined");
  expect(post("/revoke-session", "{}"), "[body.token] Invalid input: expected string, received undefined");
  // An empty body is no body.
  expect(post("/sign-up/email", ""),
         "[body] Invalid input: expected object, received undefined; [body] Invalid input: expected record, received "
         "undefined");

  auto short_password = post("/sign-up/email", R"({"email":"a@b.co","password":"1234","name":"a"})");
  CHECK(error_of(short_password) == std::pair<std::string, std::string>{"PASSWORD_TOO_SHORT", "Password too short"});
  auto bad_email = post("/sign-in/email", R"({"email":"bad","password":"12345678"})");
  CHECK(error_of(bad_email) == std::pair<std::string, std::string>{"INVALID_EMAIL", "Invalid email"});
  CHECK(users(s) == 0);
}

TEST_CASE("http.form_bodies_on_email_sign_up_and_sign_in", "[http][body]") {
  server<> s;
  auto up = s.handler(raw("POST", "/api/auth/sign-up/email", {{"Content-Type", "application/x-www-form-urlencoded"}},
                          "name=Ada+L&email=ada%40example.com&password=correct+horse+battery"));
  REQUIRE(up.status == 200);
  CHECK(str(json_of(up).at("user").at("name")) == "Ada L");
  auto in = s.handler(raw("POST", "/api/auth/sign-in/email", {{"Content-Type", "application/x-www-form-urlencoded"}},
                          "email=ada%40example.com&password=correct+horse+battery"));
  CHECK(in.status == 200);
}

#ifdef ANONAUTH_HAS_SQLITE  // a fault injected into SQLite's statements
TEST_CASE("http.storage_failure_is_the_operations_5xx", "[http][faults]") {
  aa::sqlite_config config = storages::fresh_config<aa::sqlite_storage>("http-fault");
  bool fail = false;
  config.before_statement = [&](std::string_view sql) {
    if (fail && sql.find("INSERT") != std::string_view::npos) throw aa::storage_error("injected");
  };
  manual_clock clock;
  auth_on<aa::sqlite_storage> auth{config, clock};
  http::handler handler{auth, default_options()};
  fail = true;
  auto r = handler(raw("POST", "/api/auth/sign-in/anonymous"));
  CHECK(r.status == 500);
  CHECK(error_of(r).first == "FAILED_TO_CREATE_USER");
  CHECK(r.header_values("Set-Cookie").empty());
  fail = false;
  CHECK(handler(raw("POST", "/api/auth/sign-in/anonymous")).status == 200);
}
#endif

// For the store's tests: a throwaway PostgreSQL cluster, and fresh
// databases on it, one per test. Under ctest the cluster is the run's (a
// fixture, tests/integration/postgres_cluster.py, names it in the file
// OCRCHAT_TEST_POSTGRES_STATE); otherwise it is started on first use
// (initdb into a temporary folder, the server on a free loopback port with
// its socket in that folder, as the postgres user when the tests run as
// root) and stopped and removed when the test program ends.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>

#include "core/crypto.h"

namespace ocrchat::store {

class TestPostgres {
 public:
  // The cluster of this test program, started when first asked for.
  static TestPostgres& Get() {
    static TestPostgres* cluster = [] {
      auto* c = new TestPostgres;
      ::testing::AddGlobalTestEnvironment(new Stopper(c));
      std::atexit([] { Get().Stop(); });
      return c;
    }();
    std::call_once(cluster->started_, [&] {
      if (!cluster->Join()) cluster->Start();
    });
    return *cluster;
  }

  // A new, empty database; its URL, "" when the cluster did not start.
  std::string CreateDatabase() {
    if (base_url_.empty()) return {};
    std::string name = "ocrchat_test_" + core::RandomHex(8);
    Query(Url("postgres"), "CREATE DATABASE " + name);
    return Url(name);
  }

  void DropDatabase(const std::string& url) {
    if (base_url_.empty() || url.empty()) return;
    std::string name = url.substr(url.rfind('/') + 1);
    Query(Url("postgres"), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  // Runs `sql` on the database at `url`; the first column of the first row
  // ("" when none). Throws when the statement fails.
  static std::string Query(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn);
      PQfinish(conn);
      throw std::runtime_error("connect " + url + ": " + message);
    }
    PGresult* result = PQexec(conn, sql.c_str());
    ExecStatusType status = PQresultStatus(result);
    std::string value;
    if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0)
      value = PQgetvalue(result, 0, 0);
    std::string message = PQresultErrorMessage(result);
    PQclear(result);
    PQfinish(conn);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
      throw std::runtime_error(sql + ": " + message);
    return value;
  }

 private:
  class Stopper : public ::testing::Environment {
   public:
    explicit Stopper(TestPostgres* cluster) : cluster_(cluster) {}
    void TearDown() override { cluster_->Stop(); }

   private:
    TestPostgres* cluster_;
  };

  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";

  std::string Url(const std::string& database) const { return base_url_ + database; }

  // The cluster the ctest fixture started, if there is one and it answers.
  bool Join() {
#ifdef OCRCHAT_TEST_POSTGRES_STATE
    std::ifstream in(OCRCHAT_TEST_POSTGRES_STATE);
    std::string folder, admin_url;
    if (!std::getline(in, folder) || !std::getline(in, admin_url)) return false;
    try {
      Query(admin_url, "SELECT 1");
    } catch (const std::runtime_error&) {
      return false;  // left behind by a run that did not clean up
    }
    base_url_ = admin_url.substr(0, admin_url.rfind('/') + 1);
    return true;
#else
    return false;
#endif
  }

  // The command as the postgres user when we are root (the server refuses
  // to run as root).
  static std::string As(const std::string& command) {
    if (geteuid() != 0) return command;
    return "runuser -u postgres -- " + command;
  }

  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0)
      port = ntohs(addr.sin_port);
    close(fd);
    return port;
  }

  void Start() {
    char pattern[] = "/tmp/ocrchat-pg-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return;
    dir_ = pattern;
    if (geteuid() == 0) {
      passwd* pg = getpwnam("postgres");
      if (pg == nullptr || chown(dir_.c_str(), pg->pw_uid, pg->pw_gid) != 0) return;
    }
    std::string data = dir_ + "/data";
    std::string init = As(std::string(kBin) + "initdb -D " + data +
                          " -A trust -U postgres -E UTF8 --no-sync > " + dir_ + "/initdb.log 2>&1");
    if (std::system(init.c_str()) != 0) {
      std::cerr << "initdb failed; see " << dir_ << "/initdb.log\n";
      return;
    }
    // A port found free may be taken before the server binds it: try again.
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
      int port = FreePort();
      std::string start = As(std::string(kBin) + "pg_ctl -D " + data + " -l " + dir_ +
                             "/server.log -w -t 60 -o \"-p " + std::to_string(port) + " -k " +
                             dir_ + " -c listen_addresses=127.0.0.1 -c fsync=off " +
                             "-c max_connections=200\" start > /dev/null 2>&1");
      if (std::system(start.c_str()) == 0) {
        port_ = port;
        base_url_ = "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/";
      }
    }
    if (port_ == 0) std::cerr << "pg_ctl start failed; see " << dir_ << "/server.log\n";
  }

  void Stop() {
    std::lock_guard lock(stop_mutex_);
    if (dir_.empty()) return;
    if (port_ != 0) {
      std::string stop = As(std::string(kBin) + "pg_ctl -D " + dir_ +
                            "/data -m immediate -w stop > /dev/null 2>&1");
      if (std::system(stop.c_str()) != 0) std::cerr << "pg_ctl stop failed\n";
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
    port_ = 0;
    base_url_.clear();
  }

  std::once_flag started_;
  std::mutex stop_mutex_;
  std::string dir_;
  int port_ = 0;          // of the cluster this program started
  std::string base_url_;  // the cluster's URL without a database
};

}  // namespace ocrchat::store

// The inventory's unit tests run the same cases on SQLite (a fresh file per test) and on
// PostgreSQL (a fresh database per test on the lab's inventory-pg server, dropped after).
// The PostgreSQL URL comes from AJAR_TEST_PG_URL, else from `lab/lab.sh env`. Without one, or
// when the lab's URL does not answer (the executable run by hand without the lab), the
// PostgreSQL cases skip; under ctest (tests/CMakeLists.txt gives every test of a file that
// includes this header the lab `db` fixture and AJAR_LAB_UP=1), or when AJAR_TEST_PG_URL is
// given explicitly, they fail instead.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "inventory/database.hpp"

namespace ajar::test {

inline std::string lab_pg_url() {
  if (const char* u = std::getenv("AJAR_TEST_PG_URL"); u != nullptr && *u != '\0') return u;
  static const std::string from_lab = [] {
    auto lab = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "lab" /
               "lab.sh";
    std::string out;
    if (FILE* p = ::popen((lab.string() + " env 2>/dev/null").c_str(), "r")) {
      char buf[512];
      while (std::fgets(buf, sizeof buf, p) != nullptr) {
        std::string line = buf;
        constexpr std::string_view key = "export AJAR_TEST_PG_URL=";
        if (line.starts_with(key)) {
          out = line.substr(key.size());
          while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
        }
      }
      ::pclose(p);
    }
    return out;
  }();
  return from_lab;
}

inline std::string random_name(std::string_view prefix) {
  std::random_device rd;
  return fmt::format("{}{:08x}{:08x}", prefix, rd(), rd());
}

// One fresh inventory location per test: a SQLite file in a temp dir, or a new PostgreSQL
// database. Call where() in SetUp; the destructor cleans up.
class fresh_backend {
 public:
  explicit fresh_backend(std::string kind) : kind_(std::move(kind)) {}
  fresh_backend(const fresh_backend&) = delete;
  fresh_backend& operator=(const fresh_backend&) = delete;
  ~fresh_backend() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!pg_db_.empty()) {
      try {
        inventory::open_database(admin_)->exec_script(
            fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg_db_));
      } catch (...) {
      }
    }
  }
  // Empty string: skip (the caller GTEST_SKIPs).
  std::string where() {
    if (kind_ == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / random_name("ajar-inv-unit-");
      std::filesystem::create_directories(dir_);
      return (dir_ / "inventory.db").string();
    }
    admin_ = lab_pg_url();
    const char* up = std::getenv("AJAR_LAB_UP");
    const char* explicit_url = std::getenv("AJAR_TEST_PG_URL");
    bool must_work = (up != nullptr && std::string_view(up) == "1") ||
                     (explicit_url != nullptr && *explicit_url != '\0');
    if (admin_.empty()) {
      if (must_work) ADD_FAILURE() << "AJAR_LAB_UP=1 but no AJAR_TEST_PG_URL";
      return {};
    }
    auto name = random_name("ajar_u_");
    try {
      inventory::open_database(admin_)->exec_script(fmt::format("CREATE DATABASE {}", name));
    } catch (const inventory::db_error& e) {
      if (must_work) ADD_FAILURE() << "PostgreSQL at AJAR_TEST_PG_URL does not work: " << e.what();
      return {};
    }
    pg_db_ = name;
    auto slash = admin_.rfind('/');
    auto q = admin_.find('?', slash);
    return admin_.substr(0, slash + 1) + pg_db_ + (q == std::string::npos ? "" : admin_.substr(q));
  }

 private:
  std::string kind_;
  std::filesystem::path dir_;
  std::string admin_, pg_db_;
};

}  // namespace ajar::test

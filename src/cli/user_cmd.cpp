// `ajar user add|list|remove`: the dashboard's accounts, stored in the inventory database as
// Argon2id hashes (API tokens: token_cmd.cpp).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.hpp"
#include "core/error.hpp"
#include "inventory/database.hpp"
#include "serve/config.hpp"
#include "serve/crypto.hpp"
#include "serve/serve_db.hpp"

namespace ajar::cli {

namespace {

// Shortest password accepted: below this an online guesser needs no luck at all.
constexpr std::size_t min_password = 10;
constexpr std::size_t max_password = 1024;

using serve::db_args;

std::unique_ptr<serve::serve_db> open_db(const db_args& a) { return serve::open_serve_db(a.config, a.db); }

void add_db_options(CLI::App& cmd, db_args& a) {
  cmd.add_option("-c,--config", a.config, "Use the database named in this `ajar serve` config");
  cmd.add_option("--db", a.db, "Inventory database (file path or postgresql://...)");
}

std::string read_tty_password(const char* prompt) {
  std::FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr)
    throw core::input_error("no terminal to ask for the password: pipe it in with --password-stdin");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(tty, std::fclose);
  int fd = fileno(tty);
  termios old{};
  bool restore = tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::fputs(prompt, tty);
  std::fflush(tty);
  char buf[max_password + 2] = {};
  bool ok = std::fgets(buf, sizeof buf, tty) != nullptr;
  if (restore) tcsetattr(fd, TCSAFLUSH, &old);
  std::fputs("\n", tty);
  if (!ok) throw core::input_error("no password entered");
  std::string p(buf);
  while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
  return p;
}

int user_add(const db_args& a, const std::string& name, bool from_stdin) {
  serve::check_user_name(name);
  std::string password;
  if (from_stdin) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = read_tty_password(fmt::format("Password for {}: ", name).c_str());
    if (read_tty_password("Again: ") != password) throw core::input_error("the two passwords differ");
  }
  if (password.size() < min_password || password.size() > max_password)
    throw core::input_error(fmt::format("invalid password: use {} to {} characters", min_password, max_password));
  auto db = open_db(a);
  db->add_user(name, serve::hash_password(password));
  std::fprintf(stderr, "ajar: user '%s' added\n", name.c_str());
  return exit_ok;
}

}  // namespace

action add_user(CLI::App& app) {
  struct args_t {
    db_args db;
    std::string name;
    bool password_stdin = false;
  };
  auto args = std::make_shared<args_t>();
  auto* cmd = app.add_subcommand("user", "Manage the dashboard's accounts (ajar serve has no default account)");
  cmd->require_subcommand(1);
  auto* add = cmd->add_subcommand("add", "Add a user; the password is asked on the terminal (Argon2id hash stored)");
  add->add_option("name", args->name, "User name (letters, digits, . _ @ -)")->required();
  add->add_flag("--password-stdin", args->password_stdin, "Read the password from the first line of standard input");
  add_db_options(*add, args->db);
  auto* list = cmd->add_subcommand("list", "List users");
  add_db_options(*list, args->db);
  auto* remove = cmd->add_subcommand("remove", "Remove a user and end their sessions");
  remove->add_option("name", args->name, "User name")->required();
  add_db_options(*remove, args->db);
  return [args, add, list, remove]() -> int {
    if (add->parsed()) return user_add(args->db, args->name, args->password_stdin);
    auto db = open_db(args->db);
    if (list->parsed()) {
      for (const auto& u : db->users()) std::printf("%s\n", u.name.c_str());
      return exit_ok;
    }
    (void)remove;
    if (!db->remove_user(args->name)) throw core::input_error(fmt::format("no user '{}'", args->name));
    std::fprintf(stderr, "ajar: user '%s' removed\n", args->name.c_str());
    return exit_ok;
  };
}

}  // namespace ajar::cli

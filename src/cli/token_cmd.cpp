// `ajar token create|list|remove`: API tokens for the REST API and /metrics. A token is printed
// once; the inventory database keeps only its hash.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.hpp"
#include "core/error.hpp"
#include "serve/crypto.hpp"
#include "serve/serve_db.hpp"

namespace ajar::cli {

namespace {

using serve::db_args;

std::unique_ptr<serve::serve_db> open_db(const db_args& a) { return serve::open_serve_db(a.config, a.db); }

void add_db_options(CLI::App& cmd, db_args& a) {
  cmd.add_option("-c,--config", a.config, "Use the database named in this `ajar serve` config");
  cmd.add_option("--db", a.db, "Inventory database (file path or postgresql://...)");
}

}  // namespace

action add_token(CLI::App& app) {
  struct args_t {
    db_args db;
    std::string name;
  };
  auto args = std::make_shared<args_t>();
  auto* cmd = app.add_subcommand("token", "Manage API tokens for the REST API and /metrics (Authorization: Bearer)");
  cmd->require_subcommand(1);
  auto* create = cmd->add_subcommand("create", "Create a token; it is printed once and only its hash is stored");
  create->add_option("name", args->name, "A name for the token (who or what uses it)")->required();
  add_db_options(*create, args->db);
  auto* list = cmd->add_subcommand("list", "List tokens (names and last use, never the tokens)");
  add_db_options(*list, args->db);
  auto* remove = cmd->add_subcommand("remove", "Revoke a token");
  remove->add_option("name", args->name, "Token name")->required();
  add_db_options(*remove, args->db);
  return [args, create, list]() -> int {
    auto db = open_db(args->db);
    if (create->parsed()) {
      auto token = serve::random_token();
      db->add_token(args->name, serve::token_digest(token));
      std::printf("%s\n", token.c_str());
      std::fprintf(stderr, "ajar: token '%s' created; it is shown only now\n", args->name.c_str());
      return exit_ok;
    }
    if (list->parsed()) {
      for (const auto& t : db->tokens()) std::printf("%s\n", t.name.c_str());
      return exit_ok;
    }
    if (!db->remove_token(args->name)) throw core::input_error(fmt::format("no token '{}'", args->name));
    std::fprintf(stderr, "ajar: token '%s' revoked\n", args->name.c_str());
    return exit_ok;
  };
}

}  // namespace ajar::cli

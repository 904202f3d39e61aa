// `ajar serve --config ajar.yaml`: the monitor daemon (src/serve/): scheduled scans of the
// configured scopes, alerts, the REST API and the authenticated dashboard, until SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/sigs_option.hpp"
#include "core/error.hpp"
#include "inventory/store.hpp"
#include "serve/alerts.hpp"
#include "serve/app.hpp"
#include "serve/config.hpp"
#include "serve/http_server.hpp"
#include "serve/scheduler.hpp"
#include "serve/serve_db.hpp"

namespace ajar::cli {

namespace {

namespace asio = boost::asio;

// Time allowed from SIGTERM to exit: scans stop, recorders flush, connections close.
constexpr std::chrono::milliseconds shutdown_deadline{4000};

struct serve_args {
  std::string config = "ajar.yaml";
  std::vector<std::string> sigs;
};

int serve(const serve_args& a) {
  load_signatures(a.sigs);
  auto config = serve::load_config(a.config);
  std::string where;
  try {
    where = serve::database_of(config);
  } catch (const inventory::db_error& e) {
    throw core::input_error(fmt::format("invalid config key 'db': {}", e.what()));
  }
  std::unique_ptr<serve::serve_db> db;
  std::unique_ptr<inventory::store> store;
  try {
    db = std::make_unique<serve::serve_db>(where);
    store = inventory::store::open(where);
  } catch (const inventory::db_error& e) {
    throw core::input_error(fmt::format("invalid config key 'db': {}", e.what()));
  }
  serve::alert_dispatcher alerts(where, config.webhooks, config.command);
  serve::scheduler sched(config, where, alerts);  // validates every scope (exit 2); starts later
  if (db->user_count() == 0)
    throw core::input_error(fmt::format(
        "no dashboard user exists, and ajar has no default account: create one with `ajar user add NAME --config {}` first",
        a.config));
  if (!serve::is_loopback(config.listen_host))
    std::fprintf(stderr, "ajar serve: warning: listening on %s, which is not a loopback address: the dashboard is reachable from the network\n",
                 config.listen_host.c_str());

  std::shared_ptr<asio::ssl::context> tls;
  if (config.tls == serve::tls_mode::files) {
    tls = serve::tls_context(config.tls_cert, config.tls_key);
  } else if (config.tls == serve::tls_mode::self_signed) {
    auto dir = inventory::is_postgresql_url(where) ? std::filesystem::path(a.config).parent_path()
                                                   : std::filesystem::path(where).parent_path();
    if (dir.empty()) dir = ".";
    auto cert = (dir / "ajar-serve.crt").string(), key = (dir / "ajar-serve.key").string();
    serve::ensure_self_signed(cert, key, config.listen_host);
    tls = serve::tls_context(cert, key);
  } else if (!serve::is_loopback(config.listen_host)) {
    std::fprintf(stderr, "ajar serve: warning: tls is off on a non-loopback address: passwords cross the network in clear\n");
  }

  std::signal(SIGPIPE, SIG_IGN);  // a webhook or hook that hangs up is an error value, not a crash
  asio::io_context ctx(1);
  // Installed before any scan thread exists, and kept until exit: a SIGTERM re-sent to stop a
  // scan (scheduler::stop) lands here instead of killing the process.
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  serve::web_app app(*db, *store, &sched, {config.session_lifetime, tls != nullptr});
  serve::http_server server(ctx, config.listen_host, config.listen_port, tls,
                            [&app](const serve::http_request& r) { return app.handle(r); });
  server.start();
  sched.start();
  std::fprintf(stderr, "ajar serve: dashboard on %s://%s:%u/ , %zu scope(s), inventory %s\n", tls ? "https" : "http",
               config.listen_host.c_str(), static_cast<unsigned>(server.port()), config.scopes.size(), db->raw().describe().c_str());
  std::fflush(stderr);
  int got = 0;
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    got = sig;
    server.stop();
    ctx.stop();
  });
  ctx.run();
  auto started = std::chrono::steady_clock::now();
  std::fprintf(stderr, "ajar serve: signal %d: stopping scans\n", got);
  bool clean = sched.stop(shutdown_deadline);
  alerts.stop();
  db.reset();
  store.reset();
  std::fprintf(stderr, "ajar serve: stopped in %.1f s%s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
               clean ? "" : " (a scan did not end in time; its findings so far are recorded)");
  return exit_ok;
}

}  // namespace

action add_serve(CLI::App& app) {
  auto args = std::make_shared<serve_args>();
  auto* cmd = app.add_subcommand("serve", "Run the monitor: scheduled scans, alerts, REST API and the dashboard");
  cmd->add_option("-c,--config", args->config, "The daemon's configuration (YAML; see docs/API.md)")->capture_default_str();
  add_sigs_option(*cmd, args->sigs);
  return [args] { return serve(*args); };
}

}  // namespace ajar::cli

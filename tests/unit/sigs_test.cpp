// Declarative HTTP signatures: the YAML loader (good files, every kind of bad file with its
// file:line message, the "a status code alone never proves open" refusal), the matcher, the
// directories, the registry hook, and the shipped signatures run as probes over transcripts.
//
// Transcripts: real server replies captured on loopback (127.0.9.40-44) with a python3 socket
// client sending exactly ajar's request bytes; where a page was large, the headers are as sent
// and the body is cut to the lines the signature reads (said at each capture). Grafana and
// Mongo Express are not in Debian 12: their transcripts are built from their source and docs,
// as the signature files cite.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "probe_harness.hpp"
#include "probes/registry.hpp"
#include "sigs/directories.hpp"
#include "sigs/matcher.hpp"
#include "sigs/signature.hpp"
#include "sigs/signature_probe.hpp"

namespace ajar {
namespace {

namespace fs = std::filesystem;
using net::scripted_session;

std::string get(std::string_view path) {
  return fmt::format(
      "GET {} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
      "Accept: application/json, */*;q=0.5\r\n\r\n",
      path);
}

// ---- Captured and constructed replies -------------------------------------------------------

// Prometheus 2.42.0+ds (Debian 12), GET /api/v1/status/buildinfo, no web config.
const std::string prom_buildinfo =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Date: Thu, 26 Nov 2026 11:39:42 GMT\r\n"
    "Content-Length: 206\r\n"
    "\r\n"
    "{\"status\":\"success\",\"data\":{\"version\":\"2.42.0+ds\",\"revision\":\"2.42.0+ds-5+deb12u1\""
    ",\"branch\":\"debian/sid\",\"buildUser\":\"team+pkg-go@tracker.debian.org\",\"buildDate\":\"2026"
    "0604-00:58:54\",\"goVersion\":\"go1.19.8\"}}";

// Same server, GET /api/v1/status/tsdb (chunked, as sent).
const std::string prom_tsdb =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Date: Thu, 26 Nov 2026 11:39:45 GMT\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "850\r\n"
    "{\"status\":\"success\",\"data\":{\"headStats\":{\"numSeries\":432,\"numLabelPairs\":284,\"chunk"
    "Count\":432,\"minTime\":1795693151829,\"maxTime\":1795693181829},\"seriesCountByMetricName\":[{\""
    "name\":\"prometheus_tsdb_compaction_duration_seconds_bucket\",\"value\":15},{\"name\":\"promethe"
    "us_tsdb_compaction_chunk_samples_bucket\",\"value\":13},{\"name\":\"prometheus_tsdb_compaction_c"
    "hunk_size_bytes_bucket\",\"value\":13},{\"name\":\"prometheus_tsdb_tombstone_cleanup_seconds_buc"
    "ket\",\"value\":12},{\"name\":\"prometheus_engine_query_duration_seconds\",\"value\":12},{\"name"
    "\":\"prometheus_tsdb_compaction_chunk_range_seconds_bucket\",\"value\":11},{\"name\":\"net_connt"
    "rack_dialer_conn_failed_total\",\"value\":8},{\"name\":\"go_gc_duration_seconds\",\"value\":5},{"
    "\"name\":\"prometheus_rule_group_duration_seconds\",\"value\":5},{\"name\":\"prometheus_target_s"
    "ync_length_seconds\",\"value\":5}],\"labelValueCountByLabelName\":[{\"name\":\"__name__\",\"valu"
    "e\":191},{\"name\":\"le\",\"value\":57},{\"name\":\"quantile\",\"value\":9},{\"name\":\"slice\","
    "\"value\":4},{\"name\":\"reason\",\"value\":4},{\"name\":\"code\",\"value\":3},{\"name\":\"versi"
    "on\",\"value\":2},{\"name\":\"name\",\"value\":2},{\"name\":\"dialer_name\",\"value\":2},{\"name"
    "\":\"goos\",\"value\":1}],\"memoryInBytesByLabelName\":[{\"name\":\"__name__\",\"value\":7278},{"
    "\"name\":\"le\",\"value\":274},{\"name\":\"slice\",\"value\":43},{\"name\":\"reason\",\"value\":"
    "31},{\"name\":\"quantile\",\"value\":28},{\"name\":\"revision\",\"value\":19},{\"name\":\"versio"
    "n\",\"value\":17},{\"name\":\"instance\",\"value\":15},{\"name\":\"name\",\"value\":12},{\"name\""
    ":\"dialer_name\",\"value\":11}],\"seriesCountByLabelValuePair\":[{\"name\":\"instance=127.0.9.40"
    ":9090\",\"value\":298},{\"name\":\"job=self\",\"value\":298},{\"name\":\"__name__=prometheus_tsd"
    "b_compaction_duration_seconds_bucket\",\"value\":15},{\"name\":\"__name__=prometheus_tsdb_compac"
    "tion_chunk_samples_bucket\",\"value\":13},{\"name\":\"__name__=prometheus_tsdb_compaction_chunk_"
    "size_bytes_bucket\",\"value\":13},{\"name\":\"scrape_job=self\",\"value\":12},{\"name\":\"__name"
    "__=prometheus_engine_query_duration_seconds\",\"value\":12},{\"name\":\"__name__=prometheus_tsdb"
    "_tombstone_cleanup_seconds_bucket\",\"value\":12},{\"name\":\"__name__=prometheus_tsdb_compactio"
    "n_chunk_range_seconds_bucket\",\"value\":11},{\"name\":\"quantile=0.5\",\"value\":10}]}}\r\n"
    "0\r\n"
    "\r\n";

// Same server with --web.config.file (basic_auth_users), GET /api/v1/status/buildinfo.
const std::string prom_401 =
    "HTTP/1.1 401 Unauthorized\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Www-Authenticate: Basic\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Date: Thu, 26 Nov 2026 11:39:38 GMT\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "Unauthorized\n";

// Jupyter Notebook 6.4.12 (Debian 12), token and password empty, GET /api/status.
const std::string jup_status =
    "HTTP/1.1 200 OK\r\n"
    "Server: TornadoServer/6.2\r\n"
    "Content-Type: application/json\r\n"
    "Date: Thu, 26 Nov 2026 12:01:05 GMT\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: frame-ancestors 'self'; report-uri /api/security/csp-report; default-sr"
    "c 'none'\r\n"
    "Etag: \"e0c36f438e9b03bb05b9dc51111dfa9565cb51df\"\r\n"
    "Content-Length: 122\r\n"
    "\r\n"
    "{\"connections\": 0, \"kernels\": 0, \"last_activity\": \"2026-11-26T12:00:52.087681Z\", \"start"
    "ed\": \"2026-11-26T11:39:56.123085Z\"}";

// Same server, GET /api (public by design; identical on the secured one).
const std::string jup_api =
    "HTTP/1.1 200 OK\r\n"
    "Server: TornadoServer/6.2\r\n"
    "Content-Type: application/json\r\n"
    "Date: Thu, 26 Nov 2026 12:01:08 GMT\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: frame-ancestors 'self'; report-uri /api/security/csp-report; default-sr"
    "c 'none'\r\n"
    "Etag: \"7bcde8dfd1869962d8bc9b945c720651c00b42d2\"\r\n"
    "Content-Length: 21\r\n"
    "\r\n"
    "{\"version\": \"6.4.12\"}";

// Same server, GET /api/contents (root listing of a lab notebook dir).
const std::string jup_contents =
    "HTTP/1.1 200 OK\r\n"
    "Server: TornadoServer/6.2\r\n"
    "Content-Type: application/json\r\n"
    "Date: Thu, 26 Nov 2026 12:01:11 GMT\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: frame-ancestors 'self'; report-uri /api/security/csp-report; default-sr"
    "c 'none'\r\n"
    "Last-Modified: Thu, 26 Nov 2026 11:39:54 GMT\r\n"
    "Etag: \"551cafc5b46be03c5933adcd3dddc6f388dde0f6\"\r\n"
    "Content-Length: 939\r\n"
    "\r\n"
    "{\"name\": \"\", \"path\": \"\", \"last_modified\": \"2026-11-26T11:39:54.999799Z\", \"created\""
    ": \"2026-11-26T11:39:54.999799Z\", \"content\": [{\"name\": \"customers.csv\", \"path\": \"custo"
    "mers.csv\", \"last_modified\": \"2026-11-26T11:39:54.999799Z\", \"created\": \"2026-11-26T11:39:"
    "54.999799Z\", \"content\": null, \"format\": null, \"mimetype\": \"text/csv\", \"size\": 4, \"wr"
    "itable\": true, \"type\": \"file\"}, {\"name\": \"analysis.ipynb\", \"path\": \"analysis.ipynb\""
    ", \"last_modified\": \"2026-11-26T11:39:54.995799Z\", \"created\": \"2026-11-26T11:39:54.995799Z"
    "\", \"content\": null, \"format\": null, \"mimetype\": null, \"size\": 59, \"writable\": true, \""
    "type\": \"notebook\"}, {\"name\": \"reports\", \"path\": \"reports\", \"last_modified\": \"2026-"
    "11-26T11:39:54.999799Z\", \"created\": \"2026-11-26T11:39:54.999799Z\", \"content\": null, \"for"
    "mat\": null, \"mimetype\": null, \"size\": null, \"writable\": true, \"type\": \"directory\"}], "
    "\"format\": \"json\", \"mimetype\": null, \"size\": null, \"writable\": true, \"type\": \"direct"
    "ory\"}";

// Jupyter Notebook 6.4.12 with --NotebookApp.token=<secret>, GET /api/status.
const std::string jup_403 =
    "HTTP/1.1 403 Forbidden\r\n"
    "Server: TornadoServer/6.2\r\n"
    "Content-Type: application/json\r\n"
    "Date: Thu, 26 Nov 2026 12:01:14 GMT\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: frame-ancestors 'self'; report-uri /api/security/csp-report; default-sr"
    "c 'none'\r\n"
    "Content-Length: 40\r\n"
    "\r\n"
    "{\"message\": \"Forbidden\", \"reason\": null}";

// Same secured server, GET /tree (a page route: redirect to the login page).
const std::string jup_302 =
    "HTTP/1.1 302 Found\r\n"
    "Server: TornadoServer/6.2\r\n"
    "Content-Type: text/html; charset=UTF-8\r\n"
    "Date: Thu, 26 Nov 2026 12:01:20 GMT\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: frame-ancestors 'self'; report-uri /api/security/csp-report\r\n"
    "Location: /login?next=%2Ftree\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// phpMyAdmin 5.2.1deb1+deb12u1 (Debian 12, php -S), auth_type cookie, GET /: headers as sent; of the 20 KB body, the title, CommonParams and login form lines.
const std::string pma_login =
    "HTTP/1.1 200 OK\r\n"
    "Host: localhost\r\n"
    "Date: Thu, 26 Nov 2026 11:41:02 GMT\r\n"
    "Connection: close\r\n"
    "X-Powered-By: PHP/8.2.36\r\n"
    "Set-Cookie: pma_lang=en; expires=Sat, 26 Dec 2026 11:41:01 GMT; Max-Age=2592000; path=/; HttpOnl"
    "y; SameSite=Strict\r\n"
    "Set-Cookie: phpMyAdmin=me7n76tf0cu3egpm5gte63ah2u; path=/; HttpOnly; SameSite=Strict\r\n"
    "X-ob_mode: 1\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'self' ;script-src 'self' 'unsafe-inline' 'unsafe-eval' ;st"
    "yle-src 'self' 'unsafe-inline' ;img-src 'self' data:  *.tile.openstreetmap.org;object-src 'none'"
    ";\r\n"
    "X-Content-Security-Policy: default-src 'self' ;options inline-script eval-script;referrer no-ref"
    "errer;img-src 'self' data:  *.tile.openstreetmap.org;object-src 'none';\r\n"
    "X-WebKit-CSP: default-src 'self' ;script-src 'self'  'unsafe-inline' 'unsafe-eval';referrer no-r"
    "eferrer;style-src 'self' 'unsafe-inline' ;img-src 'self' data:  *.tile.openstreetmap.org;object-"
    "src 'none';\r\n"
    "X-XSS-Protection: 1; mode=block\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Permitted-Cross-Domain-Policies: none\r\n"
    "X-Robots-Tag: noindex, nofollow\r\n"
    "Expires: Thu, 26 Nov 2026 11:41:01 +0000\r\n"
    "Cache-Control: no-store, no-cache, must-revalidate, pre-check=0, post-check=0, max-age=0\r\n"
    "Pragma: no-cache\r\n"
    "Last-Modified: Thu, 26 Nov 2026 11:41:01 +0000\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Vary: Accept-Encoding\r\n"
    "\r\n"
    "  <title>phpMyAdmin</title>\n"
    "CommonParams.setAll({common_query:\"lang=en\",opendb_url:\"index.php?route=/database/structure&l"
    "ang=en\",lang:\"en\",server:\"1\",table:\"\",db:\"\",token:\"685948376332515d4e4a783076752a47\","
    "text_dir:\"ltr\",LimitChars:\"50\",pftext:\"\",confirm:true,LoginCookieValidity:\"1440\",session"
    "_gc_maxlifetime:\"1440\",logged_in:false,is_https:false,rootPath:\"/\",arg_separator:\"&\",versi"
    "on:\"5.2.1deb1+deb12u1\",auth_type:\"cookie\",user:\"root\"});\n"
    "<form method=\"post\" id=\"login_form\" action=\"index.php?route=/\" name=\"login_form\" class=\""
    "disableAjax hide js-show\">\n"
    "          <input type=\"text\" name=\"pma_username\" id=\"input_username\" value=\"\" class=\"fo"
    "rm-control\" autocomplete=\"username\" spellcheck=\"false\">\n"
    "          <input type=\"password\" name=\"pma_password\" id=\"input_password\" value=\"\" class="
    "\"form-control\" autocomplete=\"current-password\" spellcheck=\"false\">\n";

// phpMyAdmin 5.2.1deb1+deb12u1, auth_type config (root, empty password) to MariaDB 10.11, GET /: headers as sent; of the 148 KB body, the title, CommonParams, navigation links.
const std::string pma_open =
    "HTTP/1.1 200 OK\r\n"
    "Host: localhost\r\n"
    "Date: Thu, 26 Nov 2026 11:41:04 GMT\r\n"
    "Connection: close\r\n"
    "X-Powered-By: PHP/8.2.36\r\n"
    "Set-Cookie: phpMyAdmin=g37051btokivh2flbusk1rj236; path=/; HttpOnly; SameSite=Strict\r\n"
    "Set-Cookie: pma_lang=en; expires=Sat, 26 Dec 2026 11:41:04 GMT; Max-Age=2592000; path=/; HttpOnl"
    "y; SameSite=Strict\r\n"
    "X-ob_mode: 1\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'self' ;script-src 'self' 'unsafe-inline' 'unsafe-eval' ;st"
    "yle-src 'self' 'unsafe-inline' ;img-src 'self' data:  *.tile.openstreetmap.org;object-src 'none'"
    ";\r\n"
    "X-Content-Security-Policy: default-src 'self' ;options inline-script eval-script;referrer no-ref"
    "errer;img-src 'self' data:  *.tile.openstreetmap.org;object-src 'none';\r\n"
    "X-WebKit-CSP: default-src 'self' ;script-src 'self'  'unsafe-inline' 'unsafe-eval';referrer no-r"
    "eferrer;style-src 'self' 'unsafe-inline' ;img-src 'self' data:  *.tile.openstreetmap.org;object-"
    "src 'none';\r\n"
    "X-XSS-Protection: 1; mode=block\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Permitted-Cross-Domain-Policies: none\r\n"
    "X-Robots-Tag: noindex, nofollow\r\n"
    "Expires: Thu, 26 Nov 2026 11:41:04 +0000\r\n"
    "Cache-Control: no-store, no-cache, must-revalidate, pre-check=0, post-check=0, max-age=0\r\n"
    "Pragma: no-cache\r\n"
    "Last-Modified: Thu, 26 Nov 2026 11:41:04 +0000\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Vary: Accept-Encoding\r\n"
    "\r\n"
    "  <title>localhost / 127.0.9.42 | phpMyAdmin 5.2.1deb1+deb12u1</title>\n"
    "CommonParams.setAll({common_query:\"lang=en\",opendb_url:\"index.php?route=/database/structure&l"
    "ang=en\",lang:\"en\",server:\"1\",table:\"\",db:\"\",token:\"2f77794b76374b563670617e5b7e303c\","
    "text_dir:\"ltr\",LimitChars:\"50\",pftext:\"\",confirm:true,LoginCookieValidity:\"1440\",session"
    "_gc_maxlifetime:\"1440\",logged_in:true,is_https:false,rootPath:\"/\",arg_separator:\"&\",versio"
    "n:\"5.2.1deb1+deb12u1\",auth_type:\"config\",user:\"root\"});\n"
    "              <a class=\"hover_show_full\" href=\"index.php?route=/server/databases&lang=en\" ti"
    "tle=\"New\">New</a>\n"
    "              <a class=\"hover_show_full\" href=\"index.php?route=/database/structure&db=informa"
    "tion_schema&lang=en\" title=\"Structure\">information_schema</a>\n"
    "                  <a href=\"index.php?route=/database/operations&db=lab_crm&lang=en\"><img src=\""
    "themes/dot.gif\" title=\"Database operations\" alt=\"Database operations\" class=\"icon ic_s_db\""
    "></a>\n"
    "              <a class=\"hover_show_full\" href=\"index.php?route=/database/structure&db=lab_crm"
    "&lang=en\" title=\"Structure\">lab_crm</a>\n"
    "                  <a href=\"index.php?route=/database/operations&db=mysql&lang=en\"><img src=\"t"
    "hemes/dot.gif\" title=\"Database operations\" alt=\"Database operations\" class=\"icon ic_s_db\""
    "></a>\n"
    "              <a class=\"hover_show_full\" href=\"index.php?route=/database/structure&db=mysql&l"
    "ang=en\" title=\"Structure\">mysql</a>\n"
    "              <a class=\"hover_show_full\" href=\"index.php?route=/database/structure&db=perform"
    "ance_schema&lang=en\" title=\"Structure\">performance_schema</a>\n"
    "              <a class=\"hover_show_full\" href=\"index.php?route=/database/structure&db=sys&lan"
    "g=en\" title=\"Structure\">sys</a>\n"
    "              <a class=\"hover_show_full\" href=\"index.php?route=/database/structure&db=test&la"
    "ng=en\" title=\"Structure\">test</a>\n";

// phpMyAdmin 5.2.1deb1+deb12u1, auth_type http, GET /: headers as sent; body cut to the title and CommonParams lines.
const std::string pma_http =
    "HTTP/1.1 401 Unauthorized\r\n"
    "Host: localhost\r\n"
    "Date: Thu, 26 Nov 2026 11:41:19 GMT\r\n"
    "Connection: close\r\n"
    "X-Powered-By: PHP/8.2.36\r\n"
    "Set-Cookie: pma_lang=en; expires=Sat, 26 Dec 2026 11:41:18 GMT; Max-Age=2592000; path=/; HttpOnl"
    "y; SameSite=Strict\r\n"
    "Set-Cookie: phpMyAdmin=h91bao9n6dnftj0vpvmec0sguk; path=/; HttpOnly; SameSite=Strict\r\n"
    "X-ob_mode: 1\r\n"
    "WWW-Authenticate: Basic realm=\"phpMyAdmin 127.0.9.42\"\r\n"
    "status: 401 Unauthorized\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'self' ;script-src 'self' 'unsafe-inline' 'unsafe-eval' ;st"
    "yle-src 'self' 'unsafe-inline' ;img-src 'self' data:  *.tile.openstreetmap.org;object-src 'none'"
    ";\r\n"
    "X-Content-Security-Policy: default-src 'self' ;options inline-script eval-script;referrer no-ref"
    "errer;img-src 'self' data:  *.tile.openstreetmap.org;object-src 'none';\r\n"
    "X-WebKit-CSP: default-src 'self' ;script-src 'self'  'unsafe-inline' 'unsafe-eval';referrer no-r"
    "eferrer;style-src 'self' 'unsafe-inline' ;img-src 'self' data:  *.tile.openstreetmap.org;object-"
    "src 'none';\r\n"
    "X-XSS-Protection: 1; mode=block\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Permitted-Cross-Domain-Policies: none\r\n"
    "X-Robots-Tag: noindex, nofollow\r\n"
    "Expires: Thu, 26 Nov 2026 11:41:19 +0000\r\n"
    "Cache-Control: no-store, no-cache, must-revalidate, pre-check=0, post-check=0, max-age=0\r\n"
    "Pragma: no-cache\r\n"
    "Last-Modified: Thu, 26 Nov 2026 11:41:19 +0000\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Vary: Accept-Encoding\r\n"
    "\r\n"
    "  <title>Access denied!</title>\n"
    "CommonParams.setAll({common_query:\"lang=en\",opendb_url:\"index.php?route=/database/structure&l"
    "ang=en\",lang:\"en\",server:\"1\",table:\"\",db:\"\",token:\"4237484a6f75242e784326663e292431\","
    "text_dir:\"ltr\",LimitChars:\"50\",pftext:\"\",confirm:true,LoginCookieValidity:\"1440\",session"
    "_gc_maxlifetime:\"1440\",logged_in:false,is_https:false,rootPath:\"/\",arg_separator:\"&\",versi"
    "on:\"5.2.1deb1+deb12u1\",auth_type:\"http\",user:\"root\"});\n";

// phpMyAdmin 5.2.1deb1+deb12u1, auth_type config but MySQL unreachable (port 3399 closed), GET /: headers as sent; body cut to the title, CommonParams and the error line.
const std::string pma_nodb =
    "HTTP/1.1 200 OK\r\n"
    "Host: localhost\r\n"
    "Date: Thu, 26 Nov 2026 12:14:11 GMT\r\n"
    "Connection: close\r\n"
    "X-Powered-By: PHP/8.2.36\r\n"
    "Set-Cookie: phpMyAdmin=3krtikroc3k7m2npoa1mloc8q7; path=/; HttpOnly; SameSite=Strict\r\n"
    "Set-Cookie: pma_lang=en; expires=Sat, 26 Dec 2026 12:14:11 GMT; Max-Age=2592000; path=/; HttpOnl"
    "y; SameSite=Strict\r\n"
    "X-ob_mode: 1\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'self' ;script-src 'self' 'unsafe-inline' 'unsafe-eval' ;st"
    "yle-src 'self' 'unsafe-inline' ;img-src 'self' data:  *.tile.openstreetmap.org;object-src 'none'"
    ";\r\n"
    "X-Content-Security-Policy: default-src 'self' ;options inline-script eval-script;referrer no-ref"
    "errer;img-src 'self' data:  *.tile.openstreetmap.org;object-src 'none';\r\n"
    "X-WebKit-CSP: default-src 'self' ;script-src 'self'  'unsafe-inline' 'unsafe-eval';referrer no-r"
    "eferrer;style-src 'self' 'unsafe-inline' ;img-src 'self' data:  *.tile.openstreetmap.org;object-"
    "src 'none';\r\n"
    "X-XSS-Protection: 1; mode=block\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Permitted-Cross-Domain-Policies: none\r\n"
    "X-Robots-Tag: noindex, nofollow\r\n"
    "Expires: Thu, 26 Nov 2026 12:14:11 +0000\r\n"
    "Cache-Control: no-store, no-cache, must-revalidate, pre-check=0, post-check=0, max-age=0\r\n"
    "Pragma: no-cache\r\n"
    "Last-Modified: Thu, 26 Nov 2026 12:14:11 +0000\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Vary: Accept-Encoding\r\n"
    "\r\n"
    "  <title>Access denied!</title>\n"
    "CommonParams.setAll({common_query:\"lang=en\",opendb_url:\"index.php?route=/database/structure&l"
    "ang=en\",lang:\"en\",server:\"1\",table:\"\",db:\"\",token:\"5444416e42514f212b6f402954352927\","
    "text_dir:\"ltr\",LimitChars:\"50\",pftext:\"\",confirm:true,LoginCookieValidity:\"1440\",session"
    "_gc_maxlifetime:\"1440\",logged_in:false,is_https:false,rootPath:\"/\",arg_separator:\"&\",versi"
    "on:\"5.2.1deb1+deb12u1\",auth_type:\"config\",user:\"root\"});\n"
    "<code>Cannot connect: invalid settings.</code><br></div><div class=\"alert alert-danger\" role=\""
    "alert\"><img src=\"themes/dot.gif\" title=\"\" alt=\"\" class=\"icon ic_s_error\"> mysqli::real_"
    "connect(): (HY000/2002): Connection refused</div><div class=\"alert alert-danger\" role=\"alert\""
    "><img src=\"themes/dot.gif\" title=\"\" alt=\"\" class=\"icon ic_s_error\"> phpMyAdmin tried to "
    "connect to the MySQL server, and the server rejected the connection. You should check the host, "
    "username and password in your configuration and make sure that they correspond to the informatio"
    "n given by the administrator of the MySQL server.</div></td>\n";

// Adminer 4.8.1 (Debian 12, php -S -t /usr/share/adminer), GET /adminer.php: headers as sent; body cut to title, form fields, version.
const std::string adminer_login =
    "HTTP/1.1 200 OK\r\n"
    "Host: localhost\r\n"
    "Date: Thu, 26 Nov 2026 11:41:24 GMT\r\n"
    "Connection: close\r\n"
    "X-Powered-By: PHP/8.2.36\r\n"
    "Set-Cookie: adminer_sid=d9kgpibpucn51rc2a15qcmu62r; path=/adminer.php; HttpOnly\r\n"
    "Set-Cookie: adminer_key=5526980e1bb3926293020f882df207de; path=/adminer.php; HttpOnly; SameSite="
    "lax\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Cache-Control: no-cache\r\n"
    "X-Frame-Options: deny\r\n"
    "X-XSS-Protection: 0\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: origin-when-cross-origin\r\n"
    "Content-Security-Policy: script-src 'self' 'unsafe-inline' 'nonce-Mzg4ZjllNDk3NzM2MjRiMTU1ZTM0ND"
    "M1MWI2NWY2NzU=' 'strict-dynamic'; connect-src 'self'; frame-src https://www.adminer.org; object-"
    "src 'none'; base-uri 'none'; form-action 'self'\r\n"
    "\r\n"
    "<title>Login - Adminer</title>\n"
    "<h2>Login</h2>\n"
    "<tr><th>System<td><select name='auth[driver]'><option value=\"server\" selected>MySQL<option val"
    "ue=\"sqlite\">SQLite 3<option value=\"sqlite2\">SQLite 2<option value=\"pgsql\">PostgreSQL<optio"
    "n value=\"oracle\">Oracle (beta)<option value=\"mssql\">MS SQL (beta)<option value=\"mongo\">Mon"
    "goDB (alpha)<option value=\"elastic\">Elasticsearch (beta)</select><script nonce=\"Mzg4ZjllNDk3N"
    "zM2MjRiMTU1ZTM0NDM1MWI2NWY2NzU=\">qsl('select').onchange = function () { loginDriver(this); };</"
    "script>\n"
    "<tr><th>Server<td><input name=\"auth[server]\" value=\"\" title=\"hostname[:port]\" placeholder="
    "\"localhost\" autocapitalize=\"off\">\n"
    "<tr><th>Username<td><input name=\"auth[username]\" id=\"username\" value=\"\" autocomplete=\"use"
    "rname\" autocapitalize=\"off\"><script nonce=\"Mzg4ZjllNDk3NzM2MjRiMTU1ZTM0NDM1MWI2NWY2NzU=\">fo"
    "cus(qs('#username')); qs('#username').form['auth[driver]'].onchange();</script>\n"
    "<tr><th>Password<td><input type=\"password\" name=\"auth[password]\" autocomplete=\"current-pass"
    "word\">\n"
    "<tr><th>Database<td><input name=\"auth[db]\" value=\"\" autocapitalize=\"off\">\n"
    "<label><input type='checkbox' name='auth[permanent]' value='1'>Permanent login</label>\n"
    "<a href='https://www.adminer.org/' target=\"_blank\" rel=\"noreferrer noopener\" id='h1'>Adminer"
    "</a> <span class=\"version\">4.8.1</span>\n";

// Adminer 4.8.1 logged in as pmauser (a session cookie, captured with curl): the 4.8.1 headers above and, of the page, title, "Logged as", database rows, version.
const std::string adminer_open =
    "HTTP/1.1 200 OK\r\n"
    "Host: localhost\r\n"
    "Date: Thu, 26 Nov 2026 11:41:24 GMT\r\n"
    "Connection: close\r\n"
    "X-Powered-By: PHP/8.2.36\r\n"
    "Set-Cookie: adminer_sid=d9kgpibpucn51rc2a15qcmu62r; path=/adminer.php; HttpOnly\r\n"
    "Set-Cookie: adminer_key=5526980e1bb3926293020f882df207de; path=/adminer.php; HttpOnly; SameSite="
    "lax\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Cache-Control: no-cache\r\n"
    "X-Frame-Options: deny\r\n"
    "X-XSS-Protection: 0\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: origin-when-cross-origin\r\n"
    "Content-Security-Policy: script-src 'self' 'unsafe-inline' 'nonce-Mzg4ZjllNDk3NzM2MjRiMTU1ZTM0ND"
    "M1MWI2NWY2NzU=' 'strict-dynamic'; connect-src 'self'; frame-src https://www.adminer.org; object-"
    "src 'none'; base-uri 'none'; form-action 'self'\r\n"
    "\r\n"
    "<title>Select database - 127.0.9.42 - Adminer</title>\n"
    "<p>Logged as: <b>pmauser@127.0.0.1</b>\n"
    "<tr><td><input type='checkbox' name='db[]' value='information_schema' aria-labelledby='Db-inform"
    "ation_schema'><th><a href='adminer.php?server=127.0.9.42&amp;username=pmauser&amp;db=information"
    "_schema' id='Db-information_schema'>information_schema</a><td><a href='adminer.php?server=127.0."
    "9.42&amp;username=pmauser&amp;db=information_schema&amp;database=' title='Alter database'>utf8mb"
    "3_general_ci</a><td align='right'><a href='adminer.php?server=127.0.9.42&amp;username=pmauser&am"
    "p;db=information_schema&amp;schema=' id='tables-information_schema' title='Database schema'>?</a"
    "><td align='right' id='size-information_schema'>?\n"
    "<tr class=\"odd\"><td><input type='checkbox' name='db[]' value='lab_crm' aria-labelledby='Db-lab"
    "_crm'><th><a href='adminer.php?server=127.0.9.42&amp;username=pmauser&amp;db=lab_crm' id='Db-lab"
    "_crm'>lab_crm</a><td><a href='adminer.php?server=127.0.9.42&amp;username=pmauser&amp;db=lab_crm&"
    "amp;database=' title='Alter database'>latin1_swedish_ci</a><td align='right'><a href='adminer.ph"
    "p?server=127.0.9.42&amp;username=pmauser&amp;db=lab_crm&amp;schema=' id='tables-lab_crm' title='"
    "Database schema'>?</a><td align='right' id='size-lab_crm'>?\n"
    "<tr><td><input type='checkbox' name='db[]' value='mysql' aria-labelledby='Db-mysql'><th><a href="
    "'adminer.php?server=127.0.9.42&amp;username=pmauser&amp;db=mysql' id='Db-mysql'>mysql</a><td><a "
    "href='adminer.php?server=127.0.9.42&amp;username=pmauser&amp;db=mysql&amp;database=' title='Alte"
    "r database'>latin1_swedish_ci</a><td align='right'><a href='adminer.php?server=127.0.9.42&amp;us"
    "ername=pmauser&amp;db=mysql&amp;schema=' id='tables-mysql' title='Database schema'>?</a><td alig"
    "n='right' id='size-mysql'>?\n"
    "<tr class=\"odd\"><td><input type='checkbox' name='db[]' value='performance_schema' aria-labelle"
    "dby='Db-performance_schema'><th><a href='adminer.php?server=127.0.9.42&amp;username=pmauser&amp;"
    "db=performance_schema' id='Db-performance_schema'>performance_schema</a><td><a href='adminer.php"
    "?server=127.0.9.42&amp;username=pmauser&amp;db=performance_schema&amp;database=' title='Alter da"
    "tabase'>utf8mb3_general_ci</a><td align='right'><a href='adminer.php?server=127.0.9.42&amp;usern"
    "ame=pmauser&amp;db=performance_schema&amp;schema=' id='tables-performance_schema' title='Databas"
    "e schema'>?</a><td align='right' id='size-performance_schema'>?\n"
    "<tr><td><input type='checkbox' name='db[]' value='sys' aria-labelledby='Db-sys'><th><a href='adm"
    "iner.php?server=127.0.9.42&amp;username=pmauser&amp;db=sys' id='Db-sys'>sys</a><td><a href='admi"
    "ner.php?server=127.0.9.42&amp;username=pmauser&amp;db=sys&amp;database=' title='Alter database'>"
    "utf8mb3_general_ci</a><td align='right'><a href='adminer.php?server=127.0.9.42&amp;username=pmau"
    "ser&amp;db=sys&amp;schema=' id='tables-sys' title='Database schema'>?</a><td align='right' id='s"
    "ize-sys'>?\n"
    "<tr class=\"odd\"><td><input type='checkbox' name='db[]' value='test' aria-labelledby='Db-test'>"
    "<th><a href='adminer.php?server=127.0.9.42&amp;username=pmauser&amp;db=test' id='Db-test'>test</"
    "a><td><a href='adminer.php?server=127.0.9.42&amp;username=pmauser&amp;db=test&amp;database=' tit"
    "le='Alter database'>latin1_swedish_ci</a><td align='right'><a href='adminer.php?server=127.0.9.4"
    "2&amp;username=pmauser&amp;db=test&amp;schema=' id='tables-test' title='Database schema'>?</a><t"
    "d align='right' id='size-test'>?\n"
    "<a href='https://www.adminer.org/' target=\"_blank\" rel=\"noreferrer noopener\" id='h1'>Adminer"
    "</a> <span class=\"version\">4.8.1</span>\n";

// A reply with a correct Content-Length, for transcripts built from documentation.
std::string reply(std::string_view status_line, std::string_view headers, std::string_view body) {
  return fmt::format("HTTP/1.1 {}\r\n{}Content-Length: {}\r\n\r\n{}", status_line, headers, body.size(), body);
}

// Grafana 10 as its source writes them (pkg/api/http_server.go apiHealthHandler: EncodePretty;
// pkg/middleware/auth.go notAuthorized: JsonApiErr(401, "Unauthorized")) and as the HTTP API docs
// show /api/org and /api/search.
constexpr std::string_view grafana_headers =
    "Cache-Control: no-store\r\nContent-Type: application/json; charset=UTF-8\r\n"
    "X-Content-Type-Options: nosniff\r\nX-Frame-Options: deny\r\nX-Xss-Protection: 1; mode=block\r\n";
const std::string grafana_health = reply(
    "200 OK", grafana_headers, "{\n  \"commit\": \"5a30620b85\",\n  \"database\": \"ok\",\n  \"version\": \"10.2.3\"\n}");
const std::string grafana_health_hidden = reply("200 OK", grafana_headers, "{\n  \"database\": \"ok\"\n}");
const std::string grafana_org = reply(
    "200 OK", grafana_headers,
    R"({"id":1,"name":"Main Org.","address":{"address1":"","address2":"","city":"","zipCode":"","state":"","country":""}})");
const std::string grafana_search = reply(
    "200 OK", grafana_headers,
    R"([{"id":2,"uid":"lab-sales","title":"Sales","uri":"db/sales","url":"/d/lab-sales/sales","slug":"","type":"dash-db","tags":[],"isStarred":false,"sortMeta":0},)"
    R"({"id":3,"uid":"lab-ops","title":"Ops","uri":"db/ops","url":"/d/lab-ops/ops","slug":"","type":"dash-db","tags":[],"isStarred":false,"sortMeta":0}])");
const std::string grafana_401 = reply("401 Unauthorized", grafana_headers, R"({"message":"Unauthorized"})");

// Mongo Express 1.0 as lib/views/layout.html + index.html render, basic-auth-connect's refusal,
// and the /status health check (lib/router.js).
constexpr std::string_view express_headers = "X-Powered-By: Express\r\nContent-Type: text/html; charset=utf-8\r\n";
const std::string mongo_express_home = reply(
    "200 OK",
    "X-Powered-By: Express\r\nContent-Type: text/html; charset=utf-8\r\n"
    "Set-Cookie: mongo-express=s%3Alab.sig; Path=/; HttpOnly\r\n",
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <base href=\"/\">\n  <meta charset=\"utf-8\">\n"
    "  <title>Home - Mongo Express</title>\n</head>\n<body>\n"
    "      <a class=\"navbar-brand\" href=\"\">Mongo Express</a>\n"
    "      <h4 style=\"font-weight: bold;\">Databases</h4>\n"
    "    <td><h3><a href=\"/db/admin/\">admin</a></h3></td>\n"
    "    <td><h3><a href=\"/db/lab_shop/\">lab_shop</a></h3></td>\n"
    "    <td><h3><a href=\"/db/local/\">local</a></h3></td>\n"
    "</body>\n</html>\n");
const std::string mongo_express_login = reply(
    "200 OK", express_headers,
    "<title>Home - Mongo Express</title>\n<form method=\"POST\">\n"
    "<input type=\"text\" id=\"authSource\" name=\"authSource\" class=\"form-control\" placeholder=\"admin\">\n");
const std::string mongo_express_401 =
    reply("401 Unauthorized", "X-Powered-By: Express\r\nWWW-Authenticate: Basic realm=\"Authorization Required\"\r\n",
          "Unauthorized");
const std::string mongo_express_status =
    reply("200 OK", "X-Powered-By: Express\r\nContent-Type: application/json; charset=utf-8\r\n", R"({"status":"ok"})");

// Things that are not any of these services.
const std::string nginx_welcome = reply(
    "200 OK", "Server: nginx/1.22.1\r\nContent-Type: text/html\r\n",
    "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n"
    "</body>\n</html>\n");
const std::string not_found = reply("404 Not Found", "Server: nginx/1.22.1\r\nContent-Type: text/html\r\n",
                                    "<html><head><title>404 Not Found</title></head></html>\n");
const std::string not_found_close =
    reply("404 Not Found", "Connection: close\r\nContent-Type: text/html\r\n", "<html>404</html>\n");
const std::string nginx_https_port = reply(
    "400 Bad Request", "Server: nginx\r\nContent-Type: text/html\r\n",
    "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>\n");
// A JSON API that says "success" but is not Prometheus (no version, no Go).
const std::string other_success = reply("200 OK", "Content-Type: application/json\r\n",
                                        R"({"status":"success","data":{"items":[]}})");

// ---- Helpers ---------------------------------------------------------------------------------

fs::path shipped_dir() {
  ::unsetenv("AJAR_SIGS_DIR");
  auto d = sigs::shipped_directory();
  if (!d) throw std::runtime_error("no shipped sigs/ directory found");
  return *d;
}

const sigs::signature& shipped(const std::string& name) {
  static std::map<std::string, sigs::signature> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, sigs::load_file(shipped_dir() / (name + ".yaml"))).first;
  return it->second;
}

struct run_result {
  core::observation obs;
  std::vector<std::string> mismatches;
  std::size_t steps_left = 0;
};

run_result run(const sigs::signature& sig, std::vector<scripted_session::step> script, bool strict = true) {
  auto probe = sigs::make_probe(sig);
  scripted_session s(std::move(script), strict);
  run_result r;
  r.obs = test::run_probe(*probe, s);
  r.mismatches = s.mismatches();
  r.steps_left = s.steps_left();
  return r;
}

using S = scripted_session;

// A small valid signature; tests replace one piece at a time. Line numbers matter.
constexpr std::string_view base_yaml =
    "name: acme\n"                                      // 1
    "summary: Acme dashboard\n"                         // 2
    "ports: [8080]\n"                                   // 3
    "product: Acme\n"                                   // 4
    "requests:\n"                                       // 5
    "  - id: info\n"                                    // 6
    "    path: /api/info\n"                             // 7
    "rules:\n"                                          // 8
    "  - request: info\n"                               // 9
    "    match:\n"                                      // 10
    "      status: 200\n"                               // 11
    "      json:\n"                                     // 12
    "        - {pointer: /product, equals: acme}\n"     // 13
    "    verdict: none\n"                               // 14
    "    version: {json: /version}\n";                  // 15

std::string with(std::string_view from, std::string_view to) {
  std::string y(base_yaml);
  auto at = y.find(from);
  if (at == std::string::npos) throw std::logic_error(std::string(from));
  y.replace(at, from.size(), to);
  return y;
}

std::string load_error_of(const std::string& yaml) {
  try {
    sigs::parse(yaml, "t.yaml");
  } catch (const sigs::load_error& e) {
    return e.what();
  }
  return "(loaded)";
}

// ---- Loader ---------------------------------------------------------------------------------

TEST(SigsLoader, GoodFile) {
  auto s = sigs::parse(base_yaml, "t.yaml");
  EXPECT_EQ(s.name, "acme");
  EXPECT_EQ(s.name_line, 1);
  EXPECT_EQ(s.summary, "Acme dashboard");
  EXPECT_EQ(s.product, "Acme");
  EXPECT_EQ(s.ports, std::vector<std::uint16_t>{8080});
  EXPECT_EQ(s.transport, probes::transport::plain_then_tls);  // the default
  ASSERT_EQ(s.requests.size(), 1U);
  EXPECT_EQ(s.requests[0].prepared.render("localhost"), get("/api/info"));
  ASSERT_EQ(s.rules.size(), 1U);
  const auto& r = s.rules[0];
  EXPECT_EQ(r.line, 9);
  EXPECT_EQ(r.verdict, core::auth::none);
  ASSERT_EQ(r.blocks.size(), 1U);
  EXPECT_EQ(r.blocks[0].status, std::vector<unsigned>{200});
  ASSERT_EQ(r.blocks[0].json.size(), 1U);
  EXPECT_EQ(r.blocks[0].json[0].value, boost::json::value("acme"));
  ASSERT_TRUE(r.version);
  EXPECT_EQ(r.version->kind, sigs::value_source::from::json);
  EXPECT_EQ(r.evidence, "{method} {path} answered {status} without credentials");
}

TEST(SigsLoader, RequestWithMethodHeadersAndBody) {
  auto s = sigs::parse(with("    path: /api/info\n",
                            "    method: POST\n    path: /q\n    headers: {X-Probe: ajar}\n    body: '{}'\n"),
                       "t.yaml");
  EXPECT_EQ(s.requests[0].prepared.render("localhost"),
            "POST /q HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
            "Accept: application/json, */*;q=0.5\r\nX-Probe: ajar\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(SigsLoader, EachErrorNamesFileLineAndKey) {
  struct bad {
    std::string yaml, message;
  };
  const std::vector<bad> cases = {
      {with("status: 200", "stauts: 200"),
       "invalid signature file 't.yaml' line 11: unknown key 'stauts' in match (did you mean 'status'?)"},
      {with("product: Acme\n", ""), "invalid signature file 't.yaml' line 1: the signature needs 'product'"},
      {with("  - request: info", "  - request: inf"),
       "invalid signature file 't.yaml' line 9: unknown request 'inf' (not in requests)"},
      {with("equals: acme", "exists: maybe"),
       "invalid signature file 't.yaml' line 13: 'exists' must be true or false"},
      {with("pointer: /product", "pointer: product"),
       "invalid signature file 't.yaml' line 13: 'pointer' must be a JSON pointer: \"\" or starting with '/'"},
      {with("verdict: none", "verdict: open"),
       "invalid signature file 't.yaml' line 14: verdict 'open' must be none, unclaimed, required, restricted or "
       "unknown"},
      {with("      status: 200\n", "      status: 200\n      status: 201\n"),
       "invalid signature file 't.yaml' line 12: duplicate key 'status'"},
      {with("name: acme", "name: redis"), "invalid signature file 't.yaml' line 1: name 'redis' is a builtin probe"},
      {with("name: acme", "name: Acme_Dash"),
       "invalid signature file 't.yaml' line 1: name 'Acme_Dash' must be 1-32 lower-case letters, digits or '-'"},
      {with("ports: [8080]", "ports: [70000]"),
       "invalid signature file 't.yaml' line 3: 'ports' must be a whole number from 1 to 65535"},
      {with("    path: /api/info", "    method: DELETE\n    path: /api/info"),
       "invalid signature file 't.yaml' line 7: method 'DELETE' is not allowed (GET, HEAD, POST or OPTIONS)"},
      {with("    path: /api/info", "    path: /api/info\n    headers: {Host: evil}"),
       "invalid signature file 't.yaml' line 8: header 'Host' is set by ajar"},
      {with("    version: {json: /version}\n", "    version: {json: /version}\n    evidence: 'Acme {versoin}'\n"),
       "invalid signature file 't.yaml' line 16: evidence placeholder '{versoin' is not one of {version} {status} "
       "{product} {method} {path}"},
      {with("    verdict: none\n", "    identified: false\n    verdict: none\n"),
       "invalid signature file 't.yaml' line 15: 'verdict' has no effect in a rule with identified: false"},
      {with("    match:\n      status: 200\n      json:\n        - {pointer: /product, equals: acme}\n",
            "    match: {}\n"),
       "invalid signature file 't.yaml' line 10: a match needs at least one condition (status, redirect_to_login, "
       "headers, body or json)"},
      {with("    version: {json: /version}\n", "    exposure:\n      names: {matches: 'db-[a-z]+'}\n"),
       "invalid signature file 't.yaml' line 16: exposure names 'matches' needs a capture group: the name"},
      {with("    version: {json: /version}\n", "    exposure:\n      tabels: {integer: /t}\n"),
       "invalid signature file 't.yaml' line 16: unknown key 'tabels' in exposure (did you mean 'tables'?)"},
      {with("summary: Acme dashboard", "summary: [Acme]"), "invalid signature file 't.yaml' line 2: 'summary' must be a string"},
      {with("    version: {json: /version}\n", "    version: {json: /version}\n---\nname: second\n"),
       "invalid signature file 't.yaml' line 17: one signature per file (found a second YAML document)"},
  };
  for (const auto& c : cases) EXPECT_EQ(load_error_of(c.yaml), c.message) << c.yaml;
}

TEST(SigsLoader, BadRegexAndYamlSyntaxNameTheLine) {
  auto re = load_error_of(with("equals: acme", "regex: '(acme'"));
  EXPECT_TRUE(re.starts_with("invalid signature file 't.yaml' line 13: 'regex' is not a valid regular expression"))
      << re;
  auto syntax = load_error_of(with("ports: [8080]", "ports: [8080"));
  EXPECT_TRUE(syntax.starts_with("invalid signature file 't.yaml' line ")) << syntax;
  EXPECT_EQ(syntax.find('\n'), std::string::npos) << "one line";
  EXPECT_EQ(load_error_of("just a string\n"),
            "invalid signature file 't.yaml' line 1: a signature file is a YAML mapping (name, summary, ports, "
            "requests, rules)");
}

TEST(SigsLoader, ACommaWhereADocumentStartsIsASyntaxErrorNotAHang) {
  // yaml-cpp 0.7's LoadAll loops forever on these (core/yaml_guard.hpp, found by fuzz_sigs).
  auto e = load_error_of("- a\n,\n");
  EXPECT_TRUE(e.starts_with("invalid signature file 't.yaml' line 2: unexpected ','")) << e;
  EXPECT_TRUE(load_error_of("{a: 1},b").starts_with("invalid signature file 't.yaml' line 1:"));
  EXPECT_TRUE(load_error_of(" !,").starts_with("invalid signature file 't.yaml' line 1:"));
}

TEST(SigsLoader, RefusesOpenVerdictOnAStatusCodeAlone) {
  const std::string refusal =
      "a status code alone never proves an open service";
  // 200 and nothing else.
  auto only_status = with("      json:\n        - {pointer: /product, equals: acme}\n", "");
  EXPECT_EQ(load_error_of(only_status),
            "invalid signature file 't.yaml' line 12: a rule with verdict 'none' needs a header, body or json "
            "condition: " + refusal);
  // Nor 200 plus only negations ("the body does not contain 'login'").
  auto negated = with("      json:\n        - {pointer: /product, equals: acme}\n",
                      "      body:\n        - {contains: login, not: true}\n");
  EXPECT_NE(load_error_of(negated).find(refusal), std::string::npos);
  auto absent = with("equals: acme", "exists: false");
  EXPECT_NE(load_error_of(absent).find(refusal), std::string::npos);
  // Unclaimed is refused the same way; a login redirect is status-like too.
  auto unclaimed = with("      json:\n        - {pointer: /product, equals: acme}\n    verdict: none",
                        "      redirect_to_login: true\n    verdict: unclaimed");
  EXPECT_NE(load_error_of(unclaimed).find("verdict 'unclaimed' needs a header, body or json"), std::string::npos);
  // A refusal verdict may rest on the status (a 401 is the service's answer to us either way).
  EXPECT_EQ(load_error_of(with("      status: 200\n      json:\n        - {pointer: /product, equals: acme}\n    verdict: none",
                               "      status: 401\n    verdict: required")),
            "(loaded)");
  // A condition in an `and` block counts.
  auto with_and = with("      json:\n        - {pointer: /product, equals: acme}\n    verdict: none",
                       "    and:\n      - request: info\n        headers: [{name: X-Acme}]\n    verdict: none");
  EXPECT_EQ(load_error_of(with_and), "(loaded)");
}

TEST(SigsLoader, EqualsKeepsYamlTypes) {
  auto s = sigs::parse(with("equals: acme", "equals: 1"), "t.yaml");
  EXPECT_EQ(s.rules[0].blocks[0].json[0].value, boost::json::value(1));
  s = sigs::parse(with("equals: acme", "equals: '1'"), "t.yaml");
  EXPECT_EQ(s.rules[0].blocks[0].json[0].value, boost::json::value("1"));
  s = sigs::parse(with("equals: acme", "equals: true"), "t.yaml");
  EXPECT_EQ(s.rules[0].blocks[0].json[0].value, boost::json::value(true));
  s = sigs::parse(with("equals: acme", "equals: null"), "t.yaml");
  EXPECT_TRUE(s.rules[0].blocks[0].json[0].value.is_null());
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / fmt::format("ajar-sigs-test-{}-{}", ::getpid(), counter()++);
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, std::string_view text) const { std::ofstream(path / name) << text; }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

TEST(SigsDirectories, LoadsYamlFilesSortedAndRefusesDuplicates) {
  temp_dir d;
  d.write("b.yaml", with("name: acme", "name: bravo"));
  d.write("a.yml", with("name: acme", "name: alpha"));
  d.write("notes.txt", "not a signature");
  auto sigs = sigs::load_directory(d.path);
  ASSERT_EQ(sigs.size(), 2U);
  EXPECT_EQ(sigs[0].name, "alpha");
  EXPECT_EQ(sigs[1].name, "bravo");
  EXPECT_EQ(sigs[1].file, (d.path / "b.yaml").string());
  d.write("c.yaml", with("name: acme", "name: bravo"));
  try {
    sigs::load_directory(d.path);
    ADD_FAILURE() << "duplicate name loaded";
  } catch (const sigs::load_error& e) {
    EXPECT_EQ(std::string(e.what()), fmt::format("invalid signature file '{}' line 1: name 'bravo' is already defined in '{}'",
                                                 (d.path / "c.yaml").string(), (d.path / "b.yaml").string()));
  }
  EXPECT_THROW(sigs::load_directory(d.path / "missing"), sigs::load_error);
}

TEST(SigsDirectories, UserSignatureReplacesAShippedOneOfTheSameName) {
  temp_dir shipped_d, user1, user2;
  shipped_d.write("acme.yaml", base_yaml);
  shipped_d.write("other.yaml", with("name: acme", "name: other"));
  user1.write("acme.yaml", with("summary: Acme dashboard", "summary: Fixed by the user"));
  auto all = sigs::load_all(shipped_d.path, {user1.path});
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].summary, "Fixed by the user");
  EXPECT_EQ(all[1].name, "other");
  user2.write("acme.yaml", base_yaml);
  EXPECT_THROW(sigs::load_all(shipped_d.path, {user1.path, user2.path}), sigs::load_error);
}

TEST(SigsDirectories, ShippedSignaturesAllLoad) {
  auto all = sigs::load_directory(shipped_dir());
  std::set<std::string> names;
  for (const auto& s : all) names.insert(s.name);
  EXPECT_EQ(names, (std::set<std::string>{"adminer", "grafana", "jupyter", "mongo-express", "phpmyadmin", "prometheus"}));
}

TEST(SigsDirectories, TheDocumentedExampleLoads) {
  std::ifstream in(shipped_dir().parent_path() / "docs" / "SIGNATURES.md");
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto at = doc.find("## A complete example");
  ASSERT_NE(at, std::string::npos);
  auto begin = doc.find("```yaml\n", at);
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  auto end = doc.find("```", begin);
  auto sig = sigs::parse(doc.substr(begin, end - begin), "SIGNATURES.md");
  EXPECT_EQ(sig.name, "acmedash");
  EXPECT_EQ(sig.requests.size(), 3U);
  EXPECT_EQ(sig.rules.size(), 4U);
  EXPECT_FALSE(sig.rules[3].identified);
}

TEST(SigsDirectories, EnvironmentPointsAtTheShippedDirectory) {
  temp_dir d;
  ::setenv("AJAR_SIGS_DIR", d.path.c_str(), 1);
  EXPECT_EQ(sigs::shipped_directory(), d.path);
  ::setenv("AJAR_SIGS_DIR", "", 1);
  EXPECT_EQ(sigs::shipped_directory(), std::nullopt);
  ::setenv("AJAR_SIGS_DIR", (d.path / "missing").c_str(), 1);
  EXPECT_THROW(sigs::shipped_directory(), sigs::load_error);
  ::unsetenv("AJAR_SIGS_DIR");
}

TEST(SigsRegistry, DynamicProbesJoinTheAlphabeticalList) {
  auto sig = sigs::parse(with("name: acme", "name: zz-sig-test"), "t.yaml");
  auto before = probes::all().size();
  std::vector<std::unique_ptr<probes::probe>> one;
  one.push_back(sigs::make_probe(sig));
  probes::add_dynamic(std::move(one));
  auto all = probes::all();
  ASSERT_EQ(all.size(), before + 1);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](auto* a, auto* b) { return a->info().name < b->info().name; }));
  ASSERT_NE(probes::find("zz-sig-test"), nullptr);
  EXPECT_EQ(probes::find("zz-sig-test")->info().summary, "Acme dashboard (signature t.yaml)");
  EXPECT_EQ(probes::default_ports_of("zz-sig-test"), std::vector<std::uint16_t>{8080});
  // A clash (with this one, or a builtin) is refused and changes nothing.
  std::vector<std::unique_ptr<probes::probe>> again;
  again.push_back(sigs::make_probe(sig));
  EXPECT_THROW(probes::add_dynamic(std::move(again)), std::invalid_argument);
  EXPECT_EQ(probes::all().size(), before + 1);
}

// ---- Matcher --------------------------------------------------------------------------------

probes::http::response response(unsigned status, probes::http::header_list headers, std::string body) {
  probes::http::response r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

sigs::match_block block_of(std::string_view match_yaml) {
  auto y = fmt::format(
      "name: m\nsummary: s\nports: [1]\nproduct: p\nrequests: [{{id: r, path: /}}]\n"
      "rules:\n  - match:\n{}    verdict: unknown\n",
      match_yaml);
  return sigs::parse(y, "m.yaml").rules.at(0).blocks.at(0);
}

TEST(SigsMatcher, HeadersAnyValueCaseInsensitiveNameNegation) {
  auto r = response(200, {{"set-cookie", "lang=en"}, {"set-cookie", "phpMyAdmin=abc; path=/"}, {"server", "nginx"}}, "");
  sigs::response_view v(r);
  EXPECT_TRUE(sigs::matches(block_of("      headers: [{name: Set-Cookie, contains: phpMyAdmin=}]\n"), v));
  EXPECT_FALSE(sigs::matches(block_of("      headers: [{name: set-cookie, contains: adminer_sid}]\n"), v));
  EXPECT_TRUE(sigs::matches(block_of("      headers: [{name: server}]\n"), v));
  EXPECT_FALSE(sigs::matches(block_of("      headers: [{name: x-missing}]\n"), v));
  EXPECT_TRUE(sigs::matches(block_of("      headers: [{name: x-missing, exists: false}]\n"), v));
  EXPECT_FALSE(sigs::matches(block_of("      headers: [{name: set-cookie, contains: phpMyAdmin, not: true}]\n"), v));
  EXPECT_TRUE(sigs::matches(block_of("      headers: [{name: x-missing, contains: a, not: true}]\n"), v));
  EXPECT_TRUE(sigs::matches(block_of("      headers: [{name: server, regex: '^ngin.$'}]\n"), v));
  EXPECT_FALSE(sigs::matches(block_of("      headers: [{name: server, equals: Nginx}]\n"), v));
}

TEST(SigsMatcher, StatusBodyAndLoginRedirect) {
  auto redirect = response(302, {{"location", "/login?next=%2Ftree"}}, "");
  sigs::response_view rv(redirect);
  EXPECT_TRUE(sigs::matches(block_of("      redirect_to_login: true\n"), rv));
  EXPECT_TRUE(sigs::matches(block_of("      status: [301, 302]\n"), rv));
  EXPECT_FALSE(sigs::matches(block_of("      status: 200\n"), rv));
  auto page = response(200, {}, "<title>Login - Adminer</title>");
  sigs::response_view pv(page);
  EXPECT_FALSE(sigs::matches(block_of("      redirect_to_login: true\n"), pv));
  EXPECT_TRUE(sigs::matches(block_of("      body: [{contains: Adminer}, {regex: '<title>Login'}]\n"), pv));
  EXPECT_FALSE(sigs::matches(block_of("      body: [{contains: Adminer}, {contains: Logout}]\n"), pv));
  EXPECT_TRUE(sigs::matches(block_of("      body: [{contains: Logout, not: true}]\n"), pv));
  EXPECT_TRUE(sigs::matches(block_of("      body: [{equals: '<title>Login - Adminer</title>'}]\n"), pv));
}

TEST(SigsMatcher, JsonConditions) {
  auto r = response(200, {}, R"({"id":1,"name":"Main Org.","n":"1","v":2.5,"list":[],"nil":null,"a/b":{"c~d":true}})");
  sigs::response_view v(r);
  auto ok = [&](std::string_view cond) { return sigs::matches(block_of(fmt::format("      json: [{}]\n", cond)), v); };
  EXPECT_TRUE(ok("{pointer: /id, equals: 1}"));
  EXPECT_FALSE(ok("{pointer: /id, equals: '1'}"));  // quoted: the string "1"
  EXPECT_TRUE(ok("{pointer: /n, equals: '1'}"));
  EXPECT_FALSE(ok("{pointer: /n, equals: 1}"));
  EXPECT_TRUE(ok("{pointer: /v, equals: 2.5}"));
  EXPECT_TRUE(ok("{pointer: /id, regex: '^1$'}"));  // numbers are tested as their text
  EXPECT_TRUE(ok("{pointer: /id, type: integer}"));
  EXPECT_FALSE(ok("{pointer: /v, type: integer}"));
  EXPECT_TRUE(ok("{pointer: /v, type: number}"));
  EXPECT_TRUE(ok("{pointer: /list, type: array}"));
  EXPECT_TRUE(ok("{pointer: /nil, type: null}"));
  EXPECT_TRUE(ok("{pointer: /nil, exists: true}"));
  EXPECT_TRUE(ok("{pointer: /missing, exists: false}"));
  EXPECT_TRUE(ok("{pointer: /a~1b/c~0d, equals: true}"));
  EXPECT_TRUE(ok("{pointer: '', type: object}"));
  // Every JSON condition needs a JSON body, including "absent".
  auto html = response(200, {}, "<html></html>");
  sigs::response_view hv(html);
  EXPECT_FALSE(sigs::matches(block_of("      json: [{pointer: /x, exists: false}]\n"), hv));
}

TEST(SigsMatcher, RunawayRegexIsNoMatchNotACrash) {
  boost::regex evil("(a|aa)+$", boost::regex::perl);
  std::string body(1000, 'a');
  body += 'b';
  EXPECT_THROW(boost::regex_search(body, evil), std::runtime_error);  // Boost gives up...
  EXPECT_FALSE(sigs::search(evil, body));                             // ...and that is "no match"
}

TEST(SigsMatcher, ExtractVersion) {
  auto r = response(200, {{"server", "TornadoServer/6.2"}}, "{\"version\": \"6.4.12\", \"n\": 7}\n<span class=\"version\">4.8.1\n</span>");
  sigs::response_view v(r);
  sigs::value_source s;
  s.kind = sigs::value_source::from::header;
  s.key = "server";
  s.re = boost::regex("TornadoServer/(\\S+)");
  s.has_re = true;
  EXPECT_EQ(sigs::extract(s, v), "6.2");
  s.kind = sigs::value_source::from::body;
  s.re = boost::regex("class=\"version\">([^<]+)<");
  EXPECT_EQ(sigs::extract(s, v), "4.8.1");  // trailing newline dropped
  auto json = response(200, {}, R"({"version": "6.4.12", "n": 7, "long": ")" + std::string(100, 'x') + "\"}");
  sigs::response_view jv(json);
  s = sigs::value_source{};
  s.kind = sigs::value_source::from::json;
  s.key = "/version";
  EXPECT_EQ(sigs::extract(s, jv), "6.4.12");
  s.key = "/n";
  EXPECT_EQ(sigs::extract(s, jv), "7");
  s.key = "/long";
  EXPECT_EQ(sigs::extract(s, jv)->size(), sigs::max_version + 3);  // cut, with "..."
  s.key = "/missing";
  EXPECT_EQ(sigs::extract(s, jv), std::nullopt);
}

TEST(SigsMatcher, ExposureSources) {
  auto y = std::string(
      "name: m\nsummary: s\nports: [1]\nproduct: p\nrequests: [{id: r, path: /}]\n"
      "rules:\n  - match: {status: 200}\n    verdict: unknown\n    exposure:\n"
      "      items: {length: /content}\n"
      "      bytes: {integer: /size}\n"
      "      names: {array: /content, key: /name}\n");
  auto rule = sigs::parse(y, "m.yaml").rules.at(0);
  std::string many = R"({"size": "4096", "content": [)";
  for (int i = 0; i < 30; ++i) many += fmt::format(R"({{"name": "f{}"}},)", i);
  many += R"({"noname": 1}]})";
  auto r = response(200, {}, many);
  sigs::response_view v(r);
  core::exposure e;
  for (const auto& src : rule.exposure) sigs::apply(src, v, e);
  EXPECT_EQ(e.items, 31);
  EXPECT_EQ(e.bytes, 4096);
  ASSERT_EQ(e.names.size(), core::exposure::max_names);
  EXPECT_EQ(e.names.front(), "f0");

  auto y2 = std::string(
      "name: m\nsummary: s\nports: [1]\nproduct: p\nrequests: [{id: r, path: /}]\n"
      "rules:\n  - match: {status: 200}\n    verdict: unknown\n    exposure:\n"
      "      databases: {matches: 'db=([a-z_]+)'}\n"
      "      names: {matches: 'db=([a-z_]+)'}\n"
      "      tables: {integer: /none}\n");
  auto rule2 = sigs::parse(y2, "m.yaml").rules.at(0);
  auto html = response(200, {}, "<a href='?db=shop'>shop</a><a href='?db=shop&x'>again</a><a href='?db=crm'>crm</a>");
  sigs::response_view hv(html);
  core::exposure e2;
  for (const auto& src : rule2.exposure) sigs::apply(src, hv, e2);
  EXPECT_EQ(e2.databases, 2);  // distinct
  EXPECT_EQ(e2.names, (std::vector<std::string>{"shop", "crm"}));
  EXPECT_FALSE(e2.tables.has_value());  // not JSON: left unset, not zero
}

TEST(SigsMatcher, EvidenceTemplate) {
  sigs::evidence_values v{"6.4.12", "Jupyter", "GET", "/api/status", 403};
  EXPECT_EQ(sigs::render_evidence("{method} {path} refused: {status} ({product} {version})", v),
            "GET /api/status refused: 403 (Jupyter 6.4.12)");
  v.version = "";
  EXPECT_EQ(sigs::render_evidence("{product} {version}", v), "Jupyter ?");
}

// ---- Shipped signatures as probes -------------------------------------------------------------

TEST(SigPrometheus, OpenBuildInfoThenSeriesCounts) {
  auto r = run(shipped("prometheus"), {S::client(get("/api/v1/status/buildinfo")), S::server(prom_buildinfo),
                                       S::client(get("/api/v1/status/tsdb")), S::server(prom_tsdb)});
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_EQ(r.steps_left, 0U);
  const auto& o = r.obs;
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "prometheus");
  EXPECT_EQ(o.product, "Prometheus");
  EXPECT_EQ(o.version, "2.42.0+ds");
  EXPECT_EQ(o.verdict, core::auth::none);
  EXPECT_EQ(o.evidence, "GET /api/v1/status/buildinfo answered without credentials (Prometheus 2.42.0+ds)");
  EXPECT_EQ(o.exposure.items, 432);
  ASSERT_EQ(o.exposure.names.size(), 10U);
  EXPECT_EQ(o.exposure.names[0], "prometheus_tsdb_compaction_duration_seconds_bucket");
  EXPECT_EQ(o.end, core::status::ok);
}

TEST(SigPrometheus, BasicAuthIsRequired) {
  auto r = run(shipped("prometheus"), {S::client(get("/api/v1/status/buildinfo")), S::server(prom_401)});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.product, "Prometheus (or another exporter-toolkit server)");
  EXPECT_EQ(r.obs.version, "");
  EXPECT_EQ(r.obs.evidence, "GET /api/v1/status/buildinfo refused: 401 Basic (exporter-toolkit basic auth)");
  EXPECT_TRUE(r.obs.exposure.empty());
}

TEST(SigPrometheus, ASuccessEnvelopeWithoutBuildInfoIsNotPrometheus) {
  auto r = run(shipped("prometheus"), {S::client(get("/api/v1/status/buildinfo")), S::server(other_success)});
  EXPECT_FALSE(r.obs.identified);
  EXPECT_TRUE(r.mismatches.empty());
}

TEST(SigJupyter, OpenIsCodeExecutionWithFileNames) {
  auto r = run(shipped("jupyter"), {S::client(get("/api/status")), S::server(jup_status), S::client(get("/api")),
                                    S::server(jup_api), S::client(get("/api/contents")), S::server(jup_contents)});
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.service, "jupyter");
  EXPECT_EQ(r.obs.product, "Jupyter");
  EXPECT_EQ(r.obs.version, "6.4.12");
  EXPECT_EQ(r.obs.verdict, core::auth::none);
  EXPECT_EQ(r.obs.evidence, "GET /api/status answered without a token: anyone can run code (Jupyter 6.4.12)");
  EXPECT_EQ(r.obs.exposure.items, 3);
  EXPECT_EQ(r.obs.exposure.names, (std::vector<std::string>{"customers.csv", "analysis.ipynb", "reports"}));
}

TEST(SigJupyter, TokenRequiredIs403JsonConfirmedByApi) {
  auto r = run(shipped("jupyter"),
               {S::client(get("/api/status")), S::server(jup_403), S::client(get("/api")), S::server(jup_api)});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.version, "6.4.12");
  EXPECT_EQ(r.obs.evidence, "GET /api/status refused: 403, a token or password is required (Jupyter 6.4.12)");
}

TEST(SigJupyter, LoginRedirectWithJupyterApiIsRequired) {
  // The real /tree redirect of the secured 6.4.12 server, standing in for a proxy that redirects
  // /api/status to its login page.
  auto r = run(shipped("jupyter"),
               {S::client(get("/api/status")), S::server(jup_302), S::client(get("/api")), S::server(jup_api)});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.evidence, "GET /api/status redirects to a login page (Jupyter 6.4.12)");
}

TEST(SigJupyter, A403FromSomethingElseIsNotJupyter) {
  // A 403 JSON, but /api is not Jupyter's: not identified.
  auto r = run(shipped("jupyter"), {S::client(get("/api/status")), S::server(jup_403), S::client(get("/api")),
                                    S::server(not_found)});
  EXPECT_FALSE(r.obs.identified);
  EXPECT_TRUE(r.mismatches.empty());
}

TEST(SigPhpMyAdmin, ConfigAuthIsLoggedInWithDatabaseNames) {
  auto r = run(shipped("phpmyadmin"), {S::client(get("/")), S::server(pma_open), S::close()});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.service, "phpmyadmin");
  EXPECT_EQ(r.obs.product, "phpMyAdmin");
  EXPECT_EQ(r.obs.version, "5.2.1deb1+deb12u1");
  EXPECT_EQ(r.obs.verdict, core::auth::none);
  EXPECT_EQ(r.obs.evidence,
            "phpMyAdmin 5.2.1deb1+deb12u1 is logged in to MySQL for anyone who opens / (auth_type config)");
  EXPECT_EQ(r.obs.exposure.databases, 6);
  EXPECT_EQ(r.obs.exposure.names, (std::vector<std::string>{"information_schema", "lab_crm", "mysql",
                                                            "performance_schema", "sys", "test"}));
}

TEST(SigPhpMyAdmin, CookieLoginFormIsRequired) {
  auto r = run(shipped("phpmyadmin"), {S::client(get("/")), S::server(pma_login), S::close()});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.version, "5.2.1deb1+deb12u1");
  EXPECT_EQ(r.obs.evidence, "/ shows the phpMyAdmin 5.2.1deb1+deb12u1 login form");
  EXPECT_TRUE(r.obs.exposure.empty());
}

TEST(SigPhpMyAdmin, HttpAuthIsRequired) {
  auto r = run(shipped("phpmyadmin"), {S::client(get("/")), S::server(pma_http), S::close()});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.evidence, "/ asks for MySQL credentials: 401 Basic realm phpMyAdmin (auth_type http)");
}

TEST(SigPhpMyAdmin, ConfigAuthWithMySqlDownIsIdentifiedUnknown) {
  auto r = run(shipped("phpmyadmin"), {S::client(get("/")), S::server(pma_nodb), S::close()});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.verdict, core::auth::unknown);
  EXPECT_EQ(r.obs.version, "5.2.1deb1+deb12u1");
  EXPECT_EQ(r.obs.evidence, "/ is a phpMyAdmin 5.2.1deb1+deb12u1 page, neither logged in nor a login form (200)");
}

TEST(SigPhpMyAdmin, DebianAliasIsTriedWhenTheConnectionStaysOpen) {
  auto r = run(shipped("phpmyadmin"), {S::client(get("/")), S::server(not_found), S::client(get("/phpmyadmin/")),
                                       S::server(pma_login), S::close()});
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.evidence, "/phpmyadmin/ shows the phpMyAdmin 5.2.1deb1+deb12u1 login form");
}

TEST(SigPhpMyAdmin, AfterConnectionCloseTheAliasIsAskedOnAFreshConnection) {
  // PHP's built-in server answers "Connection: close" and closes: the next request of the
  // signature goes out on a new connection (session::reopen), not on the dead one.
  auto r = run(shipped("phpmyadmin"), {S::client(get("/")), S::server(not_found_close), S::close(), S::new_connection(),
                                       S::client(get("/phpmyadmin/")), S::server(pma_login), S::close()});
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.evidence, "/phpmyadmin/ shows the phpMyAdmin 5.2.1deb1+deb12u1 login form");
}

TEST(SigPhpMyAdmin, NothingMoreIsSentWhenTheReconnectIsRefused) {
  // Lenient: the scripted peer has no second connection to offer (reopen is refused).
  auto r = run(shipped("phpmyadmin"), {S::client(get("/")), S::server(not_found_close), S::close()},
               /*strict=*/false);
  EXPECT_FALSE(r.obs.identified);
  EXPECT_EQ(r.obs.end, core::status::ok);  // the last exchange's status, not the reconnect's
}

TEST(SigPhpMyAdmin, AFailedExchangeIsNotRetriedOnAFreshConnection) {
  // A close without an answer is not "Connection: close": no reopen (strict would flag one).
  auto r = run(shipped("phpmyadmin"), {S::client(get("/")), S::close()});
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_FALSE(r.obs.identified);
  EXPECT_EQ(r.obs.end, core::status::connection_closed);
}

TEST(SigAdminer, LoginFormIsRequired) {
  auto r = run(shipped("adminer"), {S::client(get("/")), S::server(adminer_login), S::close()});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.service, "adminer");
  EXPECT_EQ(r.obs.version, "4.8.1");
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.evidence, "Adminer 4.8.1 login form exposed at / (database credentials needed)");
}

TEST(SigAdminer, EachPathOnItsOwnConnectionWhenTheServerCloses) {
  auto r = run(shipped("adminer"),
               {S::client(get("/")), S::server(not_found_close), S::close(), S::new_connection(), S::client(get("/adminer.php")),
                S::server(not_found_close), S::close(), S::new_connection(), S::client(get("/adminer/")),
                S::server(adminer_login), S::close()});
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.evidence, "Adminer 4.8.1 login form exposed at /adminer/ (database credentials needed)");
}

TEST(SigAdminer, LoggedInPageIsOpenWithDatabases) {
  auto r = run(shipped("adminer"), {S::client(get("/")), S::server(adminer_open), S::close()});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.obs.verdict, core::auth::none);
  EXPECT_EQ(r.obs.version, "4.8.1");
  EXPECT_EQ(r.obs.exposure.databases, 6);
  EXPECT_EQ(r.obs.exposure.names.at(1), "lab_crm");
}

TEST(SigGrafana, AnonymousAccessIsOpenWithDashboards) {
  auto r = run(shipped("grafana"), {S::client(get("/api/org")), S::server(grafana_org), S::client(get("/api/health")),
                                    S::server(grafana_health),
                                    S::client(get("/api/search?type=dash-db&limit=1000")), S::server(grafana_search)});
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.service, "grafana");
  EXPECT_EQ(r.obs.version, "10.2.3");
  EXPECT_EQ(r.obs.verdict, core::auth::none);
  EXPECT_EQ(r.obs.evidence, "GET /api/org answered anonymously: anonymous access is on (Grafana 10.2.3)");
  EXPECT_EQ(r.obs.exposure.items, 2);
  EXPECT_EQ(r.obs.exposure.names, (std::vector<std::string>{"Sales", "Ops"}));
}

TEST(SigGrafana, LoginRequiredWithHiddenVersion) {
  auto r = run(shipped("grafana"), {S::client(get("/api/org")), S::server(grafana_401), S::client(get("/api/health")),
                                    S::server(grafana_health_hidden)});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.version, "");
  EXPECT_EQ(r.obs.evidence, "GET /api/org refused: 401, a login is required (Grafana ?)");
}

TEST(SigGrafana, OrgLikeJsonWithoutGrafanaHealthIsNotGrafana) {
  auto r = run(shipped("grafana"), {S::client(get("/api/org")), S::server(grafana_org), S::client(get("/api/health")),
                                    S::server(not_found)});
  EXPECT_FALSE(r.obs.identified);
}

TEST(SigMongoExpress, HomePageListsDatabases) {
  auto r = run(shipped("mongo-express"), {S::client(get("/")), S::server(mongo_express_home)});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.steps_left, 0U);
  EXPECT_TRUE(r.obs.identified);
  EXPECT_EQ(r.obs.service, "mongo-express");
  EXPECT_EQ(r.obs.product, "Mongo Express");
  EXPECT_EQ(r.obs.verdict, core::auth::none);
  EXPECT_EQ(r.obs.exposure.databases, 3);
  EXPECT_EQ(r.obs.exposure.names, (std::vector<std::string>{"admin", "lab_shop", "local"}));
}

TEST(SigMongoExpress, BasicAuthNeedsTheHealthCheckToo) {
  auto r = run(shipped("mongo-express"), {S::client(get("/")), S::server(mongo_express_401), S::client(get("/status")),
                                          S::server(mongo_express_status)});
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.evidence, "GET / refused: 401 Basic (Mongo Express basic auth)");
  // The same realm without Mongo Express's /status: some other Express app.
  auto other = run(shipped("mongo-express"),
                   {S::client(get("/")), S::server(mongo_express_401), S::client(get("/status")), S::server(not_found)});
  EXPECT_FALSE(other.obs.identified);
}

TEST(SigMongoExpress, MongoCredentialFormIsRequired) {
  auto r = run(shipped("mongo-express"), {S::client(get("/")), S::server(mongo_express_login)});
  EXPECT_EQ(r.obs.verdict, core::auth::required);
  EXPECT_EQ(r.obs.evidence, "GET / shows the Mongo Express form asking for MongoDB credentials");
}

// ---- Hostile and silent peers ----------------------------------------------------------------

TEST(SigPeers, GarbageSilenceCloseTruncationAndTls) {
  const auto& sig = shipped("jupyter");
  auto garbage = run(sig, {S::client(get("/api/status")), S::server("\x01\x02garbage\r\n\r\n")});
  EXPECT_FALSE(garbage.obs.identified);
  EXPECT_EQ(garbage.obs.end, core::status::protocol_error);
  EXPECT_TRUE(garbage.mismatches.empty()) << "nothing more is sent after a failed exchange";

  auto silent = run(sig, {S::client(get("/api/status"))});
  EXPECT_FALSE(silent.obs.identified);
  EXPECT_EQ(silent.obs.end, core::status::io_timeout);

  auto closed = run(sig, {S::client(get("/api/status")), S::close()});
  EXPECT_FALSE(closed.obs.identified);
  EXPECT_EQ(closed.obs.end, core::status::connection_closed);

  auto truncated = run(sig, {S::client(get("/api/status")),
                             S::server(jup_status.substr(0, jup_status.size() - 40)), S::close()});
  EXPECT_FALSE(truncated.obs.identified);
  EXPECT_NE(truncated.obs.end, core::status::ok);

  auto tls_alert = run(sig, {S::client(get("/api/status")), S::server(std::string("\x15\x03\x01\x00\x02\x02\x46", 7)),
                             S::close()});
  EXPECT_FALSE(tls_alert.obs.identified);

  auto https_port = run(sig, {S::client(get("/api/status")), S::server(nginx_https_port), S::close()});
  EXPECT_FALSE(https_port.obs.identified);
  EXPECT_TRUE(https_port.obs.wants_tls);

  auto welcome = run(sig, {S::client(get("/api/status")), S::server(nginx_welcome), S::close()});
  EXPECT_FALSE(welcome.obs.identified);
}

// The engine sends a probe's opening itself before the probe starts (probes::probe::opening):
// for every shipped signature it must be exactly the first request the probe sends.
TEST(SigOpening, EveryShippedSignatureOpensWithItsFirstRulesRequest) {
  for (const auto& sig : sigs::load_directory(shipped_dir())) {
    SCOPED_TRACE(sig.name);
    auto probe = sigs::make_probe(sig);
    auto opening = probe->opening("localhost");
    ASSERT_TRUE(opening.has_value());
    ASSERT_FALSE(opening->empty());
    scripted_session s({S::client(*opening)});  // then a silent peer
    (void)test::run_probe(*probe, s);
    EXPECT_TRUE(s.sent().starts_with(*opening));
    if (!s.mismatches().empty()) EXPECT_EQ(s.mismatches().front().find("unexpected send"), 0U) << s.mismatches().front();
  }
}

TEST(SigPeers, OverTlsTheConversationIsTheSame) {
  auto probe = sigs::make_probe(shipped("prometheus"));
  scripted_session s({S::client(get("/api/v1/status/buildinfo")), S::server(prom_401)});
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(
      ctx,
      [&]() -> boost::asio::awaitable<core::observation> {
        co_await s.start_tls();
        co_return std::move(*co_await probe->run(s));
      },
      boost::asio::use_future);
  ctx.run();
  auto o = fut.get();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, core::auth::required);
}

// No shipped signature claims another product's real answers (each signature is fed every other
// capture as the answer to each of its requests).
TEST(SigPeers, NoSignatureClaimsAnotherProductsAnswers) {
  const std::vector<std::pair<std::string, std::string>> answers = {
      {"prometheus", prom_buildinfo}, {"prometheus", prom_401},       {"jupyter", jup_status},
      {"jupyter", jup_403},           {"jupyter", jup_api},           {"jupyter", jup_contents},
      {"phpmyadmin", pma_open},       {"phpmyadmin", pma_login},      {"phpmyadmin", pma_http},
      {"phpmyadmin", pma_nodb},
      {"adminer", adminer_login},     {"adminer", adminer_open},      {"grafana", grafana_health},
      {"grafana", grafana_org},       {"grafana", grafana_401},       {"mongo-express", mongo_express_home},
      {"mongo-express", mongo_express_401}, {"mongo-express", mongo_express_status},
      {"none", nginx_welcome},        {"none", not_found},            {"none", other_success}};
  for (const auto& name : {"adminer", "grafana", "jupyter", "mongo-express", "phpmyadmin", "prometheus"}) {
    const auto& sig = shipped(name);
    for (const auto& [owner, bytes] : answers) {
      if (owner == name) continue;
      // Delimited answers are repeated for every request; an answer that ends with the connection
      // (PHP's built-in server) is given once, then the peer closes.
      std::vector<S::step> script;
      bool delimited = bytes.find("Content-Length:") != std::string::npos ||
                       bytes.find("Transfer-Encoding: chunked") != std::string::npos;
      for (std::size_t i = 0; i < (delimited ? sig.requests.size() : 1); ++i) script.push_back(S::server(bytes));
      script.push_back(S::close());
      auto r = run(sig, script, /*strict=*/false);
      EXPECT_FALSE(r.obs.identified) << name << " claimed a " << owner << " answer: " << r.obs.evidence;
    }
  }
}

}  // namespace
}  // namespace ajar

// Transcript tests for the influxdb probe (src/probes/influxdb.cpp).
//
// 1.x replies marked "captured" are the exact bytes Debian's influxdb 1.6.7~rc0 sent to the
// probe's own requests (python3 socket script, one keep-alive connection per conversation):
//   open       127.0.9.32:8086, auth-enabled = false; databases lab_metrics (cpu, mem: 3 series)
//              and lab_iot (temp: 1 series) written over /write; _internal from the monitor.
//   auth       127.0.9.33:8086, auth-enabled = true, CREATE USER admin ... WITH ALL PRIVILEGES.
//   unclaimed  127.0.9.34:8086, auth-enabled = true and no user; lab_sensors (humidity,
//              pressure) was written while auth was off, then the server restarted with auth on.
// 2.x has no Debian package: those transcripts are "constructed" from the InfluxDB OSS v2 source
// (influxdata/influxdb: http/legacy/ping_handler.go, tenant/http_server_onboarding.go with
// kit/transport/http/api.go, which indents JSON with a tab, and
// kit/transport/http/error_handler.go) and the v2 API docs (GET /api/v2/setup -> allowed).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

constexpr std::string_view get_ping =
    "GET /ping HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

constexpr std::string_view get_show_databases =
    "GET /query?q=SHOW%20DATABASES HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

constexpr std::string_view get_debug_vars =
    "GET /debug/vars HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

constexpr std::string_view get_setup =
    "GET /api/v2/setup HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

constexpr std::string_view get_buckets =
    "GET /api/v2/buckets HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

// captured: open
constexpr std::string_view ping_open =
    "HTTP/1.1 204 No Content\r\n"
    "Content-Type: application/json\r\n"
    "Request-Id: 3ea4c1f1-e98f-11f1-8009-000000000000\r\n"
    "X-Influxdb-Build: OSS\r\n"
    "X-Influxdb-Version: 1.6.7~rc0\r\n"
    "X-Request-Id: 3ea4c1f1-e98f-11f1-8009-000000000000\r\n"
    "Date: Thu, 26 Nov 2026 11:48:06 GMT\r\n"
    "\r\n";

// captured: open
constexpr std::string_view databases_open =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Request-Id: 3ea4d17f-e98f-11f1-800a-000000000000\r\n"
    "X-Influxdb-Build: OSS\r\n"
    "X-Influxdb-Version: 1.6.7~rc0\r\n"
    "X-Request-Id: 3ea4d17f-e98f-11f1-800a-000000000000\r\n"
    "Date: Thu, 26 Nov 2026 11:48:06 GMT\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "89\r\n"
    "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"],"
    "\"values\":[[\"_internal\"],[\"lab_metrics\"],[\"lab_iot\"]]}]}]}\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// captured: open (14 KiB of expvar statistics; memstats included as the server sent them)
constexpr std::string_view debug_vars_open =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "X-Influxdb-Build: OSS\r\n"
    "X-Influxdb-Version: 1.6.7~rc0\r\n"
    "Date: Thu, 26 Nov 2026 11:48:06 GMT\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "800\r\n"
    "{\n"
    "\"system\": "
    "{\"currentTime\":\"2026-11-26T11:48:06.57860888Z\",\"started\":\"2026-11-26T11:37:57."
    "107800892Z\",\"uptime\":609},\n"
    "\"cmdline\": [\"influxd\",\"run\",\"-config\",\"/tmp/w9/influx-open/influxdb.conf\"],\n"
    "\"memstats\": "
    "{\"Alloc\":4363040,\"TotalAlloc\":36129512,\"Sys\":24229128,\"Lookups\":0,\"Mallocs\":127903,"
    "\"Frees\":105133,\"HeapAlloc\":4363040,\"HeapSys\":12058624,\"HeapIdle\":6496256,"
    "\"HeapInuse\":5562368,\"HeapReleased\":3907584,\"HeapObjects\":22770,\"StackInuse\":524288,"
    "\"StackSys\":524288,\"MSpanInuse\":77616,\"MSpanSys\":97632,\"MCacheInuse\":2400,"
    "\"MCacheSys\":15600,\"BuckHashSys\":1453669,\"GCSys\":9341936,\"OtherSys\":737379,\"NextGC\":"
    "7487624,\"LastGC\":1795693670008117110,\"PauseTotalNs\":683058,\"PauseNs\":[93562,49040,51695,"
    "35815,43932,47506,58227,43690,67250,138358,53983,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],\"PauseEnd\":["
    "1795693091660524954,1795693106013110976,1795693160006091332,1795693220007401711,"
    "1795693280006374664,1795693348529784653,1795693400006135545,1795693460006200376,"
    "1795693530006865690,1795693600007877175,1795693670008117110,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],\"NumGC\":11,"
    "\"NumForcedGC\":0,\"GCCPUFraction\":0.000008341672575338224,\"EnableGC\":true,\"DebugGC\":"
    "fals\r\n"
    "92f\r\n"
    "e,\"BySize\":[{\"Size\":0,\"Mallocs\":0,\"Frees\":0},{\"Size\":8,\"Mallocs\":1068,\"Frees\":"
    "922},{\"Size\":16,\"Mallocs\":44224,\"Frees\":28510},{\"Size\":24,\"Mallocs\":7411,\"Frees\":"
    "6841},{\"Size\":32,\"Mallocs\":10176,\"Frees\":9178},{\"Size\":48,\"Mallocs\":11678,\"Frees\":"
    "10253},{\"Size\":64,\"Mallocs\":5739,\"Frees\":5155},{\"Size\":80,\"Mallocs\":927,\"Frees\":"
    "716},{\"Size\":96,\"Mallocs\":2273,\"Frees\":1973},{\"Size\":112,\"Mallocs\":1575,\"Frees\":"
    "1248},{\"Size\":128,\"Mallocs\":1116,\"Frees\":1041},{\"Size\":144,\"Mallocs\":473,\"Frees\":"
    "365},{\"Size\":160,\"Mallocs\":535,\"Frees\":422},{\"Size\":176,\"Mallocs\":139,\"Frees\":53},"
    "{\"Size\":192,\"Mallocs\":3194,\"Frees\":3048},{\"Size\":208,\"Mallocs\":10079,\"Frees\":9539}"
    ",{\"Size\":224,\"Mallocs\":8131,\"Frees\":7779},{\"Size\":240,\"Mallocs\":1437,\"Frees\":1382}"
    ",{\"Size\":256,\"Mallocs\":793,\"Frees\":745},{\"Size\":288,\"Mallocs\":1366,\"Frees\":1272},{"
    "\"Size\":320,\"Mallocs\":64,\"Frees\":53},{\"Size\":352,\"Mallocs\":2314,\"Frees\":2192},{"
    "\"Size\":384,\"Mallocs\":355,\"Frees\":339},{\"Size\":416,\"Mallocs\":282,\"Frees\":199},{"
    "\"Size\":448,\"Mallocs\":12,\"Frees\":5},{\"Size\":480,\"Mallocs\":180,\"Frees\":173},{"
    "\"Size\":512,\"Mallocs\":361,\"Frees\":355},{\"Size\":576,\"Mallocs\":647,\"Frees\":606},{"
    "\"Size\":640,\"Mallocs\":116,\"Frees\":92},{\"Size\":704,\"Mallocs\":187,\"Frees\":175},{"
    "\"Size\":768,\"Mallocs\":1,\"Frees\":0},{\"Size\":896,\"Mallocs\":225,\"Frees\":193},{"
    "\"Size\":1024,\"Mallocs\":613,\"Frees\":320},{\"Size\":1152,\"Mallocs\":323,\"Frees\":301},{"
    "\"Size\":1280,\"Mallocs\":94,\"Frees\":75},{\"Size\":1408,\"Mallocs\":68,\"Frees\":62},{"
    "\"Size\":1536,\"Mallocs\":1,\"Frees\":1},{\"Size\":1792,\"Mallocs\":69,\"Frees\":58},{"
    "\"Size\":2048,\"Mallocs\":76,\"Frees\":41},{\"Size\":2304,\"Mallocs\":191,\"Frees\":180},{"
    "\"Size\":2688,\"Mallocs\":73,\"Frees\":60},{\"Size\":3072,\"Mallocs\":0,\"Frees\":0},{"
    "\"Size\":3200,\"Mallocs\":2,\"Frees\":1},{\"Size\":3456,\"Mallocs\":1,\"Frees\":1},{\"Size\":"
    "4096,\"Mallocs\":30,\"Frees\":24},{\"Size\":4864,\"Mallocs\":3,\"Frees\":2},{\"Size\":5376,"
    "\"Mallocs\":2,\"Frees\":0},{\"Size\":6144,\"Mallocs\":64,\"Frees\":60},{\"Size\":6528,"
    "\"Mallocs\":2,\"Frees\":0},{\"Size\":6784,\"Mallocs\":0,\"Frees\":0},{\"Size\":6912,"
    "\"Mallocs\":0,\"Frees\":0},{\"Size\":8192,\"Mallocs\":13,\"Frees\":5},{\"Size\":9472,"
    "\"Mallocs\":5,\"Frees\":1},{\"Size\":9728,\"Mallocs\":0,\"Frees\":0},{\"Size\":10240,"
    "\"Mallocs\":0,\"Frees\":0},{\"Size\":10880,\"Mallocs\":0,\"Frees\":0},{\"Size\":12288,"
    "\"Mallocs\":107,\"Frees\":81},{\"Size\":13568,\"Mallocs\":0,\"Frees\":0},{\"Size\":14336,"
    "\"Mallocs\":0,\"Frees\":0},{\"Size\":16384,\"Mallocs\":3,\"Frees\":0},{\"Size\":18432,"
    "\"Mallocs\":1,\"Frees\":1}]}\r\n"
    "800\r\n"
    ",\n"
    "\"runtime\": "
    "{\"name\":\"runtime\",\"tags\":{},\"values\":{\"Alloc\":4126920,\"Frees\":105104,"
    "\"HeapAlloc\":4126920,\"HeapIdle\":6701056,\"HeapInUse\":5357568,\"HeapObjects\":22405,"
    "\"HeapReleased\":3907584,\"HeapSys\":12058624,\"Lookups\":0,\"Mallocs\":127509,\"NumGC\":11,"
    "\"NumGoroutine\":20,\"PauseTotalNs\":683058,\"Sys\":24229128,\"TotalAlloc\":35893392}},\n"
    "\"queryExecutor\": "
    "{\"name\":\"queryExecutor\",\"tags\":null,\"values\":{\"queriesActive\":0,\"queriesExecuted\":"
    "6,\"queriesFinished\":6,\"queryDurationNs\":3347556,\"recoveredPanics\":0}},\n"
    "\"database:lab_metrics\": "
    "{\"name\":\"database\",\"tags\":{\"database\":\"lab_metrics\"},\"values\":{"
    "\"numMeasurements\":2,\"numSeries\":3}},\n"
    "\"database:lab_iot\": "
    "{\"name\":\"database\",\"tags\":{\"database\":\"lab_iot\"},\"values\":{\"numMeasurements\":1,"
    "\"numSeries\":1}},\n"
    "\"database:_internal\": "
    "{\"name\":\"database\",\"tags\":{\"database\":\"_internal\"},\"values\":{\"numMeasurements\":"
    "11,\"numSeries\":23}},\n"
    "\"shard:/tmp/w9/influx-open/data/_internal/monitor/1:1\": "
    "{\"name\":\"shard\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":\"1\","
    "\"path\":\"/tmp/w9/influx-open/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-open/wal/_internal/monitor/"
    "1\"},\"values\":{\"diskBytes\":267870,\"fieldsCreate\":221,\"seriesCreate\":23,\"writeBytes\":"
    "0,\"writePointsDropped\":0,\"writePointsErr\":0,\"writePointsOk\":1362,\"writeReq\":60,"
    "\"writeReqErr\":0,\"writeReqOk\":60}},\n"
    "\"tsm1_engine:/tmp/w9/influx-open/data/_internal/monitor/1:1\": "
    "{\"name\":\"tsm1_engine\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":"
    "\"1\",\"path\":\"/tmp/w9/influx-open/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-open/wal/_internal/monitor/"
    "1\"},\"values\":{\"cacheCompactionDuration\":0,\"cacheCompactionErr\":0,\"cacheCompactions\":"
    "0,\"cacheCompactionsActive\":0,\"tsmFullCompactionDuration\":0,\"tsmFullCompactionErr\":0,"
    "\"tsmFullCompactionQueue\":0,\"tsmFullCompactions\":0,\"tsmFullCompactionsActive\":0,"
    "\"tsmLevel1CompactionDuration\":0,\"tsmLevel1CompactionErr\":0,\"tsmLevel1CompactionQueue\":0,"
    "\"tsmLevel1Compactions\":0,\"tsmLevel1CompactionsActive\":0,\"tsmLevel2CompactionDuration\":0,"
    "\"tsmLevel2CompactionErr\":0,\"tsmLeve\r\n"
    "800\r\n"
    "l2CompactionQueue\":0,\"tsmLevel2Compactions\":0,\"tsmLevel2CompactionsActive\":0,"
    "\"tsmLevel3CompactionDuration\":0,\"tsmLevel3CompactionErr\":0,\"tsmLevel3CompactionQueue\":0,"
    "\"tsmLevel3Compactions\":0,\"tsmLevel3CompactionsActive\":0,\"tsmOptimizeCompactionDuration\":"
    "0,\"tsmOptimizeCompactionErr\":0,\"tsmOptimizeCompactionQueue\":0,\"tsmOptimizeCompactions\":"
    "0,\"tsmOptimizeCompactionsActive\":0}},\n"
    "\"tsm1_cache:/tmp/w9/influx-open/data/_internal/monitor/1:1\": "
    "{\"name\":\"tsm1_cache\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":"
    "\"1\",\"path\":\"/tmp/w9/influx-open/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-open/wal/_internal/monitor/"
    "1\"},\"values\":{\"WALCompactionTimeMs\":0,\"cacheAgeMs\":596001,\"cachedBytes\":0,"
    "\"diskBytes\":0,\"memBytes\":245296,\"snapshotCount\":0,\"writeDropped\":0,\"writeErr\":0,"
    "\"writeOk\":60}},\n"
    "\"tsm1_filestore:/tmp/w9/influx-open/data/_internal/monitor/1:1\": "
    "{\"name\":\"tsm1_filestore\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":"
    "\"1\",\"path\":\"/tmp/w9/influx-open/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-open/wal/_internal/monitor/"
    "1\"},\"values\":{\"diskBytes\":0,\"numFiles\":0}},\n"
    "\"tsm1_wal:/tmp/w9/influx-open/data/_internal/monitor/1:1\": "
    "{\"name\":\"tsm1_wal\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":\"1\","
    "\"path\":\"/tmp/w9/influx-open/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-open/wal/_internal/monitor/"
    "1\"},\"values\":{\"currentSegmentDiskBytes\":267870,\"oldSegmentsDiskBytes\":0,\"writeErr\":0,"
    "\"writeOk\":60}},\n"
    "\"shard:/tmp/w9/influx-open/data/lab_metrics/autogen/2:2\": "
    "{\"name\":\"shard\",\"tags\":{\"database\":\"lab_metrics\",\"engine\":\"tsm1\",\"id\":\"2\","
    "\"path\":\"/tmp/w9/influx-open/data/lab_metrics/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_metrics/autogen/"
    "2\"},\"values\":{\"diskBytes\":92,\"fieldsCreate\":3,\"seriesCreate\":3,\"writeBytes\":0,"
    "\"writePointsDropped\":0,\"writePointsErr\":0,\"writePointsOk\":3,\"writeReq\":1,"
    "\"writeReqErr\":0,\"writeReqOk\":1}},\n"
    "\"tsm1_engine:/tmp/w9/influx-open/data/lab_metrics/autogen/2:2\": {\"name\":\"tsm\r\n"
    "800\r\n"
    "1_engine\",\"tags\":{\"database\":\"lab_metrics\",\"engine\":\"tsm1\",\"id\":\"2\",\"path\":"
    "\"/tmp/w9/influx-open/data/lab_metrics/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_metrics/autogen/"
    "2\"},\"values\":{\"cacheCompactionDuration\":0,\"cacheCompactionErr\":0,\"cacheCompactions\":"
    "0,\"cacheCompactionsActive\":0,\"tsmFullCompactionDuration\":0,\"tsmFullCompactionErr\":0,"
    "\"tsmFullCompactionQueue\":0,\"tsmFullCompactions\":0,\"tsmFullCompactionsActive\":0,"
    "\"tsmLevel1CompactionDuration\":0,\"tsmLevel1CompactionErr\":0,\"tsmLevel1CompactionQueue\":0,"
    "\"tsmLevel1Compactions\":0,\"tsmLevel1CompactionsActive\":0,\"tsmLevel2CompactionDuration\":0,"
    "\"tsmLevel2CompactionErr\":0,\"tsmLevel2CompactionQueue\":0,\"tsmLevel2Compactions\":0,"
    "\"tsmLevel2CompactionsActive\":0,\"tsmLevel3CompactionDuration\":0,\"tsmLevel3CompactionErr\":"
    "0,\"tsmLevel3CompactionQueue\":0,\"tsmLevel3Compactions\":0,\"tsmLevel3CompactionsActive\":0,"
    "\"tsmOptimizeCompactionDuration\":0,\"tsmOptimizeCompactionErr\":0,"
    "\"tsmOptimizeCompactionQueue\":0,\"tsmOptimizeCompactions\":0,"
    "\"tsmOptimizeCompactionsActive\":0}},\n"
    "\"tsm1_cache:/tmp/w9/influx-open/data/lab_metrics/autogen/2:2\": "
    "{\"name\":\"tsm1_cache\",\"tags\":{\"database\":\"lab_metrics\",\"engine\":\"tsm1\",\"id\":"
    "\"2\",\"path\":\"/tmp/w9/influx-open/data/lab_metrics/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_metrics/autogen/"
    "2\"},\"values\":{\"WALCompactionTimeMs\":0,\"cacheAgeMs\":594000,\"cachedBytes\":0,"
    "\"diskBytes\":0,\"memBytes\":113,\"snapshotCount\":0,\"writeDropped\":0,\"writeErr\":0,"
    "\"writeOk\":1}},\n"
    "\"tsm1_filestore:/tmp/w9/influx-open/data/lab_metrics/autogen/2:2\": "
    "{\"name\":\"tsm1_filestore\",\"tags\":{\"database\":\"lab_metrics\",\"engine\":\"tsm1\","
    "\"id\":\"2\",\"path\":\"/tmp/w9/influx-open/data/lab_metrics/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_metrics/autogen/"
    "2\"},\"values\":{\"diskBytes\":0,\"numFiles\":0}},\n"
    "\"tsm1_wal:/tmp/w9/influx-open/data/lab_metrics/autogen/2:2\": "
    "{\"name\":\"tsm1_wal\",\"tags\":{\"database\":\"lab_metrics\",\"engine\":\"tsm1\",\"id\":"
    "\"2\",\"path\":\"/tmp/w9/influx-open/data/lab_metrics/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"wa\r\n"
    "800\r\n"
    "lPath\":\"/tmp/w9/influx-open/wal/lab_metrics/autogen/"
    "2\"},\"values\":{\"currentSegmentDiskBytes\":92,\"oldSegmentsDiskBytes\":0,\"writeErr\":0,"
    "\"writeOk\":1}},\n"
    "\"shard:/tmp/w9/influx-open/data/lab_iot/autogen/3:3\": "
    "{\"name\":\"shard\",\"tags\":{\"database\":\"lab_iot\",\"engine\":\"tsm1\",\"id\":\"3\","
    "\"path\":\"/tmp/w9/influx-open/data/lab_iot/autogen/"
    "3\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_iot/autogen/"
    "3\"},\"values\":{\"diskBytes\":49,\"fieldsCreate\":1,\"seriesCreate\":1,\"writeBytes\":0,"
    "\"writePointsDropped\":0,\"writePointsErr\":0,\"writePointsOk\":1,\"writeReq\":1,"
    "\"writeReqErr\":0,\"writeReqOk\":1}},\n"
    "\"tsm1_engine:/tmp/w9/influx-open/data/lab_iot/autogen/3:3\": "
    "{\"name\":\"tsm1_engine\",\"tags\":{\"database\":\"lab_iot\",\"engine\":\"tsm1\",\"id\":\"3\","
    "\"path\":\"/tmp/w9/influx-open/data/lab_iot/autogen/"
    "3\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_iot/autogen/"
    "3\"},\"values\":{\"cacheCompactionDuration\":0,\"cacheCompactionErr\":0,\"cacheCompactions\":"
    "0,\"cacheCompactionsActive\":0,\"tsmFullCompactionDuration\":0,\"tsmFullCompactionErr\":0,"
    "\"tsmFullCompactionQueue\":0,\"tsmFullCompactions\":0,\"tsmFullCompactionsActive\":0,"
    "\"tsmLevel1CompactionDuration\":0,\"tsmLevel1CompactionErr\":0,\"tsmLevel1CompactionQueue\":0,"
    "\"tsmLevel1Compactions\":0,\"tsmLevel1CompactionsActive\":0,\"tsmLevel2CompactionDuration\":0,"
    "\"tsmLevel2CompactionErr\":0,\"tsmLevel2CompactionQueue\":0,\"tsmLevel2Compactions\":0,"
    "\"tsmLevel2CompactionsActive\":0,\"tsmLevel3CompactionDuration\":0,\"tsmLevel3CompactionErr\":"
    "0,\"tsmLevel3CompactionQueue\":0,\"tsmLevel3Compactions\":0,\"tsmLevel3CompactionsActive\":0,"
    "\"tsmOptimizeCompactionDuration\":0,\"tsmOptimizeCompactionErr\":0,"
    "\"tsmOptimizeCompactionQueue\":0,\"tsmOptimizeCompactions\":0,"
    "\"tsmOptimizeCompactionsActive\":0}},\n"
    "\"tsm1_cache:/tmp/w9/influx-open/data/lab_iot/autogen/3:3\": "
    "{\"name\":\"tsm1_cache\",\"tags\":{\"database\":\"lab_iot\",\"engine\":\"tsm1\",\"id\":\"3\","
    "\"path\":\"/tmp/w9/influx-open/data/lab_iot/autogen/"
    "3\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_iot/autogen/"
    "3\"},\"values\":{\"WALCompactionTimeMs\":0,\"cacheAgeMs\":594000,\"cachedBytes\":0,"
    "\"diskBytes\":0,\"mem\r\n"
    "5f1\r\n"
    "Bytes\":35,\"snapshotCount\":0,\"writeDropped\":0,\"writeErr\":0,\"writeOk\":1}},\n"
    "\"tsm1_filestore:/tmp/w9/influx-open/data/lab_iot/autogen/3:3\": "
    "{\"name\":\"tsm1_filestore\",\"tags\":{\"database\":\"lab_iot\",\"engine\":\"tsm1\",\"id\":"
    "\"3\",\"path\":\"/tmp/w9/influx-open/data/lab_iot/autogen/"
    "3\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_iot/autogen/"
    "3\"},\"values\":{\"diskBytes\":0,\"numFiles\":0}},\n"
    "\"tsm1_wal:/tmp/w9/influx-open/data/lab_iot/autogen/3:3\": "
    "{\"name\":\"tsm1_wal\",\"tags\":{\"database\":\"lab_iot\",\"engine\":\"tsm1\",\"id\":\"3\","
    "\"path\":\"/tmp/w9/influx-open/data/lab_iot/autogen/"
    "3\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-open/wal/lab_iot/autogen/"
    "3\"},\"values\":{\"currentSegmentDiskBytes\":49,\"oldSegmentsDiskBytes\":0,\"writeErr\":0,"
    "\"writeOk\":1}},\n"
    "\"write\": "
    "{\"name\":\"write\",\"tags\":null,\"values\":{\"pointReq\":1366,\"pointReqLocal\":1366,"
    "\"req\":62,\"subWriteDrop\":0,\"subWriteOk\":62,\"writeDrop\":0,\"writeError\":0,\"writeOk\":"
    "62,\"writeTimeout\":0}},\n"
    "\"subscriber\": "
    "{\"name\":\"subscriber\",\"tags\":null,\"values\":{\"createFailures\":0,\"pointsWritten\":0,"
    "\"writeFailures\":0}},\n"
    "\"httpd:127.0.9.32:8086\": "
    "{\"name\":\"httpd\",\"tags\":{\"bind\":\"127.0.9.32:8086\"},\"values\":{\"authFail\":0,"
    "\"clientError\":0,\"pingReq\":2,\"pointsWrittenDropped\":0,\"pointsWrittenFail\":0,"
    "\"pointsWrittenOK\":4,\"promReadReq\":0,\"promWriteReq\":0,\"queryReq\":6,"
    "\"queryReqDurationNs\":5014867,\"queryRespBytes\":406,\"recoveredPanics\":0,\"req\":13,"
    "\"reqActive\":1,\"reqDurationNs\":21302814,\"serverError\":0,\"statusReq\":0,\"writeReq\":2,"
    "\"writeReqActive\":0,\"writeReqBytes\":93,\"writeReqDurationNs\":9308493}}\n"
    "}\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// captured: auth
constexpr std::string_view ping_auth =
    "HTTP/1.1 204 No Content\r\n"
    "Content-Type: application/json\r\n"
    "Request-Id: 3eb49fba-e98f-11f1-800b-000000000000\r\n"
    "X-Influxdb-Build: OSS\r\n"
    "X-Influxdb-Version: 1.6.7~rc0\r\n"
    "X-Request-Id: 3eb49fba-e98f-11f1-800b-000000000000\r\n"
    "Date: Thu, 26 Nov 2026 11:48:06 GMT\r\n"
    "\r\n";

// captured: auth
constexpr std::string_view databases_auth =
    "HTTP/1.1 401 Unauthorized\r\n"
    "Content-Type: application/json\r\n"
    "Request-Id: 3eb695d7-e98f-11f1-800c-000000000000\r\n"
    "Www-Authenticate: Basic realm=\"InfluxDB\"\r\n"
    "X-Influxdb-Build: OSS\r\n"
    "X-Influxdb-Version: 1.6.7~rc0\r\n"
    "X-Request-Id: 3eb695d7-e98f-11f1-800c-000000000000\r\n"
    "Date: Thu, 26 Nov 2026 11:48:06 GMT\r\n"
    "Content-Length: 55\r\n"
    "\r\n"
    "{\"error\":\"unable to parse authentication credentials\"}\n";

// captured: unclaimed
constexpr std::string_view ping_unclaimed =
    "HTTP/1.1 204 No Content\r\n"
    "Content-Type: application/json\r\n"
    "Request-Id: 4d1a9539-e98f-11f1-8002-000000000000\r\n"
    "X-Influxdb-Build: OSS\r\n"
    "X-Influxdb-Version: 1.6.7~rc0\r\n"
    "X-Request-Id: 4d1a9539-e98f-11f1-8002-000000000000\r\n"
    "Date: Thu, 26 Nov 2026 11:48:30 GMT\r\n"
    "\r\n";

// captured: unclaimed
constexpr std::string_view databases_unclaimed =
    "HTTP/1.1 403 Forbidden\r\n"
    "Content-Type: application/json\r\n"
    "Request-Id: 4d1aa5a6-e98f-11f1-8003-000000000000\r\n"
    "X-Influxdb-Build: OSS\r\n"
    "X-Influxdb-Error: error authorizing query: create admin user first or disable "
    "authentication\r\n"
    "X-Influxdb-Version: 1.6.7~rc0\r\n"
    "X-Request-Id: 4d1aa5a6-e98f-11f1-8003-000000000000\r\n"
    "Date: Thu, 26 Nov 2026 11:48:30 GMT\r\n"
    "Content-Length: 87\r\n"
    "\r\n"
    "{\"error\":\"error authorizing query: create admin user first or disable authentication\"}\n";

// captured: unclaimed (served without credentials although auth is on)
constexpr std::string_view debug_vars_unclaimed =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "X-Influxdb-Build: OSS\r\n"
    "X-Influxdb-Version: 1.6.7~rc0\r\n"
    "Date: Thu, 26 Nov 2026 11:48:30 GMT\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "800\r\n"
    "{\n"
    "\"system\": "
    "{\"currentTime\":\"2026-11-26T11:48:30.838787188Z\",\"started\":\"2026-11-26T11:48:18."
    "773672471Z\",\"uptime\":12},\n"
    "\"cmdline\": [\"influxd\",\"run\",\"-config\",\"/tmp/w9/influx-unc/influxdb.conf\"],\n"
    "\"memstats\": "
    "{\"Alloc\":5950640,\"TotalAlloc\":8925688,\"Sys\":19772680,\"Lookups\":0,\"Mallocs\":42349,"
    "\"Frees\":17247,\"HeapAlloc\":5950640,\"HeapSys\":7864320,\"HeapIdle\":892928,\"HeapInuse\":"
    "6971392,\"HeapReleased\":819200,\"HeapObjects\":25102,\"StackInuse\":524288,\"StackSys\":"
    "524288,\"MSpanInuse\":85968,\"MSpanSys\":97632,\"MCacheInuse\":2400,\"MCacheSys\":15600,"
    "\"BuckHashSys\":1448141,\"GCSys\":9105600,\"OtherSys\":717099,\"NextGC\":7033376,\"LastGC\":"
    "1795693698810080915,\"PauseTotalNs\":76634,\"PauseNs\":[58564,18070,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0],\"PauseEnd\":[1795693698792568307,1795693698810080915,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
    "0,0,0,0,0,0],\"NumGC\":2,\"NumForcedGC\":0,\"GCCPUFraction\":0.09058733156699778,\"EnableGC\":"
    "true,\"DebugGC\":false,\"BySize\":[{\"Size\":0,\"Mallocs\":0,\"Frees\":0},{\"Size\":8,"
    "\"Mallocs\":244,\"Frees\":136},{\"Size\":16,\"Mallocs\":17155,\"Frees\":5029},{\"Size\":24,"
    "\"Mallocs\":1219,\"Frees\":585},{\"Size\":32,\"Mallocs\":3223,\"Frees\":1532},{\"Size\":48\r\n"
    "81b\r\n"
    ",\"Mallocs\":3866,\"Frees\":1506},{\"Size\":64,\"Mallocs\":3857,\"Frees\":1977},{\"Size\":80,"
    "\"Mallocs\":283,\"Frees\":99},{\"Size\":96,\"Mallocs\":482,\"Frees\":96},{\"Size\":112,"
    "\"Mallocs\":890,\"Frees\":594},{\"Size\":128,\"Mallocs\":270,\"Frees\":203},{\"Size\":144,"
    "\"Mallocs\":90,\"Frees\":1},{\"Size\":160,\"Mallocs\":172,\"Frees\":53},{\"Size\":176,"
    "\"Mallocs\":77,\"Frees\":4},{\"Size\":192,\"Mallocs\":949,\"Frees\":438},{\"Size\":208,"
    "\"Mallocs\":3466,\"Frees\":1690},{\"Size\":224,\"Mallocs\":2843,\"Frees\":1367},{\"Size\":240,"
    "\"Mallocs\":26,\"Frees\":0},{\"Size\":256,\"Mallocs\":181,\"Frees\":131},{\"Size\":288,"
    "\"Mallocs\":78,\"Frees\":18},{\"Size\":320,\"Mallocs\":56,\"Frees\":42},{\"Size\":352,"
    "\"Mallocs\":485,\"Frees\":167},{\"Size\":384,\"Mallocs\":14,\"Frees\":7},{\"Size\":416,"
    "\"Mallocs\":100,\"Frees\":10},{\"Size\":448,\"Mallocs\":9,\"Frees\":2},{\"Size\":480,"
    "\"Mallocs\":4,\"Frees\":1},{\"Size\":512,\"Mallocs\":123,\"Frees\":9},{\"Size\":576,"
    "\"Mallocs\":26,\"Frees\":5},{\"Size\":640,\"Mallocs\":49,\"Frees\":26},{\"Size\":704,"
    "\"Mallocs\":72,\"Frees\":36},{\"Size\":768,\"Mallocs\":1,\"Frees\":0},{\"Size\":896,"
    "\"Mallocs\":33,\"Frees\":8},{\"Size\":1024,\"Mallocs\":178,\"Frees\":10},{\"Size\":1152,"
    "\"Mallocs\":17,\"Frees\":2},{\"Size\":1280,\"Mallocs\":32,\"Frees\":15},{\"Size\":1408,"
    "\"Mallocs\":69,\"Frees\":35},{\"Size\":1536,\"Mallocs\":1,\"Frees\":1},{\"Size\":1792,"
    "\"Mallocs\":10,\"Frees\":2},{\"Size\":2048,\"Mallocs\":47,\"Frees\":20},{\"Size\":2304,"
    "\"Mallocs\":31,\"Frees\":7},{\"Size\":2688,\"Mallocs\":78,\"Frees\":33},{\"Size\":3072,"
    "\"Mallocs\":1,\"Frees\":1},{\"Size\":3200,\"Mallocs\":1,\"Frees\":0},{\"Size\":3456,"
    "\"Mallocs\":1,\"Frees\":1},{\"Size\":4096,\"Mallocs\":11,\"Frees\":3},{\"Size\":4864,"
    "\"Mallocs\":2,\"Frees\":2},{\"Size\":5376,\"Mallocs\":2,\"Frees\":0},{\"Size\":6144,"
    "\"Mallocs\":64,\"Frees\":32},{\"Size\":6528,\"Mallocs\":1,\"Frees\":0},{\"Size\":6784,"
    "\"Mallocs\":0,\"Frees\":0},{\"Size\":6912,\"Mallocs\":0,\"Frees\":0},{\"Size\":8192,"
    "\"Mallocs\":9,\"Frees\":1},{\"Size\":9472,\"Mallocs\":5,\"Frees\":1},{\"Size\":9728,"
    "\"Mallocs\":0,\"Frees\":0},{\"Size\":10240,\"Mallocs\":0,\"Frees\":0},{\"Size\":10880,"
    "\"Mallocs\":0,\"Frees\":0},{\"Size\":12288,\"Mallocs\":93,\"Frees\":47},{\"Size\":13568,"
    "\"Mallocs\":1,\"Frees\":0},{\"Size\":14336,\"Mallocs\":0,\"Frees\":0},{\"Size\":16384,"
    "\"Mallocs\":62,\"Frees\":6},{\"Size\":18432,\"Mallocs\":1,\"Frees\":1}]}\r\n"
    "800\r\n"
    ",\n"
    "\"runtime\": "
    "{\"name\":\"runtime\",\"tags\":{},\"values\":{\"Alloc\":5787136,\"Frees\":17224,\"HeapAlloc\":"
    "5787136,\"HeapIdle\":1024000,\"HeapInUse\":6840320,\"HeapObjects\":24752,\"HeapReleased\":"
    "884736,\"HeapSys\":7864320,\"Lookups\":0,\"Mallocs\":41976,\"NumGC\":2,\"NumGoroutine\":18,"
    "\"PauseTotalNs\":76634,\"Sys\":19772680,\"TotalAlloc\":8762184}},\n"
    "\"queryExecutor\": "
    "{\"name\":\"queryExecutor\",\"tags\":null,\"values\":{\"queriesActive\":0,\"queriesExecuted\":"
    "0,\"queriesFinished\":0,\"queryDurationNs\":0,\"recoveredPanics\":0}},\n"
    "\"database:lab_sensors\": "
    "{\"name\":\"database\",\"tags\":{\"database\":\"lab_sensors\"},\"values\":{"
    "\"numMeasurements\":2,\"numSeries\":3}},\n"
    "\"database:_internal\": "
    "{\"name\":\"database\",\"tags\":{\"database\":\"_internal\"},\"values\":{\"numMeasurements\":"
    "11,\"numSeries\":17}},\n"
    "\"shard:/tmp/w9/influx-unc/data/_internal/monitor/1:1\": "
    "{\"name\":\"shard\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":\"1\","
    "\"path\":\"/tmp/w9/influx-unc/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-unc/wal/_internal/monitor/"
    "1\"},\"values\":{\"diskBytes\":137985,\"fieldsCreate\":0,\"seriesCreate\":17,\"writeBytes\":0,"
    "\"writePointsDropped\":0,\"writePointsErr\":0,\"writePointsOk\":17,\"writeReq\":1,"
    "\"writeReqErr\":0,\"writeReqOk\":1}},\n"
    "\"tsm1_engine:/tmp/w9/influx-unc/data/_internal/monitor/1:1\": "
    "{\"name\":\"tsm1_engine\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":"
    "\"1\",\"path\":\"/tmp/w9/influx-unc/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-unc/wal/_internal/monitor/"
    "1\"},\"values\":{\"cacheCompactionDuration\":0,\"cacheCompactionErr\":0,\"cacheCompactions\":"
    "0,\"cacheCompactionsActive\":0,\"tsmFullCompactionDuration\":0,\"tsmFullCompactionErr\":0,"
    "\"tsmFullCompactionQueue\":0,\"tsmFullCompactions\":0,\"tsmFullCompactionsActive\":0,"
    "\"tsmLevel1CompactionDuration\":0,\"tsmLevel1CompactionErr\":0,\"tsmLevel1CompactionQueue\":0,"
    "\"tsmLevel1Compactions\":0,\"tsmLevel1CompactionsActive\":0,\"tsmLevel2CompactionDuration\":0,"
    "\"tsmLevel2CompactionErr\":0,\"tsmLevel2CompactionQueue\":0,\"tsmLevel2Compactions\":0,"
    "\"tsmLevel2CompactionsActive\":0,\"tsmLevel3CompactionDuration\":0,\"tsmLevel3CompactionErr\":"
    "0,\"tsmL\r\n"
    "800\r\n"
    "evel3CompactionQueue\":0,\"tsmLevel3Compactions\":0,\"tsmLevel3CompactionsActive\":0,"
    "\"tsmOptimizeCompactionDuration\":0,\"tsmOptimizeCompactionErr\":0,"
    "\"tsmOptimizeCompactionQueue\":0,\"tsmOptimizeCompactions\":0,"
    "\"tsmOptimizeCompactionsActive\":0}},\n"
    "\"tsm1_cache:/tmp/w9/influx-unc/data/_internal/monitor/1:1\": "
    "{\"name\":\"tsm1_cache\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":"
    "\"1\",\"path\":\"/tmp/w9/influx-unc/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-unc/wal/_internal/monitor/"
    "1\"},\"values\":{\"WALCompactionTimeMs\":0,\"cacheAgeMs\":12035,\"cachedBytes\":0,"
    "\"diskBytes\":0,\"memBytes\":132860,\"snapshotCount\":0,\"writeDropped\":0,\"writeErr\":0,"
    "\"writeOk\":62}},\n"
    "\"tsm1_filestore:/tmp/w9/influx-unc/data/_internal/monitor/1:1\": "
    "{\"name\":\"tsm1_filestore\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":"
    "\"1\",\"path\":\"/tmp/w9/influx-unc/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-unc/wal/_internal/monitor/"
    "1\"},\"values\":{\"diskBytes\":0,\"numFiles\":0}},\n"
    "\"tsm1_wal:/tmp/w9/influx-unc/data/_internal/monitor/1:1\": "
    "{\"name\":\"tsm1_wal\",\"tags\":{\"database\":\"_internal\",\"engine\":\"tsm1\",\"id\":\"1\","
    "\"path\":\"/tmp/w9/influx-unc/data/_internal/monitor/"
    "1\",\"retentionPolicy\":\"monitor\",\"walPath\":\"/tmp/w9/influx-unc/wal/_internal/monitor/"
    "1\"},\"values\":{\"currentSegmentDiskBytes\":3365,\"oldSegmentsDiskBytes\":134620,"
    "\"writeErr\":0,\"writeOk\":1}},\n"
    "\"shard:/tmp/w9/influx-unc/data/lab_sensors/autogen/2:2\": "
    "{\"name\":\"shard\",\"tags\":{\"database\":\"lab_sensors\",\"engine\":\"tsm1\",\"id\":\"2\","
    "\"path\":\"/tmp/w9/influx-unc/data/lab_sensors/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-unc/wal/lab_sensors/autogen/"
    "2\"},\"values\":{\"diskBytes\":204,\"fieldsCreate\":0,\"seriesCreate\":3,\"writeBytes\":0,"
    "\"writePointsDropped\":0,\"writePointsErr\":0,\"writePointsOk\":0,\"writeReq\":0,"
    "\"writeReqErr\":0,\"writeReqOk\":0}},\n"
    "\"tsm1_engine:/tmp/w9/influx-unc/data/lab_sensors/autogen/2:2\": "
    "{\"name\":\"tsm1_engine\",\"tags\":{\"database\":\"lab_sensors\",\"engine\":\"tsm1\",\"id\":"
    "\"2\",\"path\":\"/tmp/w9/influx-unc/data/lab_sensors/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"\r\n"
    "800\r\n"
    "walPath\":\"/tmp/w9/influx-unc/wal/lab_sensors/autogen/"
    "2\"},\"values\":{\"cacheCompactionDuration\":0,\"cacheCompactionErr\":0,\"cacheCompactions\":"
    "0,\"cacheCompactionsActive\":0,\"tsmFullCompactionDuration\":0,\"tsmFullCompactionErr\":0,"
    "\"tsmFullCompactionQueue\":0,\"tsmFullCompactions\":0,\"tsmFullCompactionsActive\":0,"
    "\"tsmLevel1CompactionDuration\":0,\"tsmLevel1CompactionErr\":0,\"tsmLevel1CompactionQueue\":0,"
    "\"tsmLevel1Compactions\":0,\"tsmLevel1CompactionsActive\":0,\"tsmLevel2CompactionDuration\":0,"
    "\"tsmLevel2CompactionErr\":0,\"tsmLevel2CompactionQueue\":0,\"tsmLevel2Compactions\":0,"
    "\"tsmLevel2CompactionsActive\":0,\"tsmLevel3CompactionDuration\":0,\"tsmLevel3CompactionErr\":"
    "0,\"tsmLevel3CompactionQueue\":0,\"tsmLevel3Compactions\":0,\"tsmLevel3CompactionsActive\":0,"
    "\"tsmOptimizeCompactionDuration\":0,\"tsmOptimizeCompactionErr\":0,"
    "\"tsmOptimizeCompactionQueue\":0,\"tsmOptimizeCompactions\":0,"
    "\"tsmOptimizeCompactionsActive\":0}},\n"
    "\"tsm1_cache:/tmp/w9/influx-unc/data/lab_sensors/autogen/2:2\": "
    "{\"name\":\"tsm1_cache\",\"tags\":{\"database\":\"lab_sensors\",\"engine\":\"tsm1\",\"id\":"
    "\"2\",\"path\":\"/tmp/w9/influx-unc/data/lab_sensors/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-unc/wal/lab_sensors/autogen/"
    "2\"},\"values\":{\"WALCompactionTimeMs\":0,\"cacheAgeMs\":12031,\"cachedBytes\":0,"
    "\"diskBytes\":0,\"memBytes\":117,\"snapshotCount\":0,\"writeDropped\":0,\"writeErr\":0,"
    "\"writeOk\":1}},\n"
    "\"tsm1_filestore:/tmp/w9/influx-unc/data/lab_sensors/autogen/2:2\": "
    "{\"name\":\"tsm1_filestore\",\"tags\":{\"database\":\"lab_sensors\",\"engine\":\"tsm1\","
    "\"id\":\"2\",\"path\":\"/tmp/w9/influx-unc/data/lab_sensors/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-unc/wal/lab_sensors/autogen/"
    "2\"},\"values\":{\"diskBytes\":0,\"numFiles\":0}},\n"
    "\"tsm1_wal:/tmp/w9/influx-unc/data/lab_sensors/autogen/2:2\": "
    "{\"name\":\"tsm1_wal\",\"tags\":{\"database\":\"lab_sensors\",\"engine\":\"tsm1\",\"id\":"
    "\"2\",\"path\":\"/tmp/w9/influx-unc/data/lab_sensors/autogen/"
    "2\",\"retentionPolicy\":\"autogen\",\"walPath\":\"/tmp/w9/influx-unc/wal/lab_sensors/autogen/"
    "2\"},\"values\":{\"currentSegmentDiskBytes\":102,\"oldSegmentsDiskBytes\":102,\"writeErr\":0,"
    "\"writeOk\":0}},\n"
    "\"write\": {\"na\r\n"
    "2e5\r\n"
    "me\":\"write\",\"tags\":null,\"values\":{\"pointReq\":17,\"pointReqLocal\":17,\"req\":1,"
    "\"subWriteDrop\":0,\"subWriteOk\":1,\"writeDrop\":0,\"writeError\":0,\"writeOk\":1,"
    "\"writeTimeout\":0}},\n"
    "\"subscriber\": "
    "{\"name\":\"subscriber\",\"tags\":null,\"values\":{\"createFailures\":0,\"pointsWritten\":0,"
    "\"writeFailures\":0}},\n"
    "\"httpd:127.0.9.34:8086\": "
    "{\"name\":\"httpd\",\"tags\":{\"bind\":\"127.0.9.34:8086\"},\"values\":{\"authFail\":0,"
    "\"clientError\":2,\"pingReq\":1,\"pointsWrittenDropped\":0,\"pointsWrittenFail\":0,"
    "\"pointsWrittenOK\":0,\"promReadReq\":0,\"promWriteReq\":0,\"queryReq\":2,"
    "\"queryReqDurationNs\":268292,\"queryRespBytes\":0,\"recoveredPanics\":0,\"req\":4,"
    "\"reqActive\":1,\"reqDurationNs\":458905,\"serverError\":0,\"statusReq\":0,\"writeReq\":0,"
    "\"writeReqActive\":0,\"writeReqBytes\":0,\"writeReqDurationNs\":0}}\n"
    "}\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// constructed (2.x, see the header): /ping of an InfluxDB OSS 2.7.11 server.
constexpr std::string_view ping_v2 =
    "HTTP/1.1 204 No Content\r\n"
    "X-Influxdb-Build: oss\r\n"
    "X-Influxdb-Version: v2.7.11\r\n"
    "Date: Thu, 26 Nov 2026 11:50:00 GMT\r\n"
    "\r\n";

// constructed (2.x): GET /api/v2/setup before onboarding.
constexpr std::string_view setup_allowed =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Date: Thu, 26 Nov 2026 11:50:00 GMT\r\n"
    "Content-Length: 20\r\n"
    "\r\n"
    "{\n\t\"allowed\": true\n}";

// constructed (2.x): GET /api/v2/setup after onboarding.
constexpr std::string_view setup_done =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Date: Thu, 26 Nov 2026 11:50:00 GMT\r\n"
    "Content-Length: 21\r\n"
    "\r\n"
    "{\n\t\"allowed\": false\n}";

// constructed (2.x): a data API without a token.
constexpr std::string_view buckets_unauthorized =
    "HTTP/1.1 401 Unauthorized\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "X-Platform-Error-Code: unauthorized\r\n"
    "Date: Thu, 26 Nov 2026 11:50:00 GMT\r\n"
    "Content-Length: 55\r\n"
    "\r\n"
    "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}";

std::string s(std::string_view v) {
  return std::string(v);
}

ajar::core::observation run(scripted_session& session) {
  return ajar::test::run_probe(ajar::probes::influxdb_probe(), session);
}

std::string json_reply(std::string_view status_line, std::string_view body) {
  return std::string(status_line) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

TEST(probe_influxdb, info) {
  const auto& i = ajar::probes::influxdb_probe().info();
  EXPECT_EQ(i.name, "influxdb");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 8086);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_influxdb, v1_open) {
  scripted_session ss(
      {scripted_session::client(s(get_ping)), scripted_session::server(s(ping_open)),
       scripted_session::client(s(get_show_databases)), scripted_session::server(s(databases_open)),
       scripted_session::client(s(get_debug_vars)), scripted_session::server(s(debug_vars_open))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "influxdb");
  EXPECT_EQ(o.product, "InfluxDB");
  EXPECT_EQ(o.version, "1.6.7~rc0");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence, "SHOW DATABASES answered without credentials (2 databases)");
  EXPECT_EQ(o.exposure.databases, 2);  // _internal is the server's own statistics
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"lab_iot", "lab_metrics"}));
  EXPECT_EQ(o.exposure.tables, 3);   // measurements: cpu, mem, temp
  EXPECT_EQ(o.exposure.bytes, 141);  // shard diskBytes 92 + 49
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_ping) + s(get_show_databases) + s(get_debug_vars));
}

TEST(probe_influxdb, v1_requests_read_no_points) {
  // Safety: SHOW DATABASES and server statistics only; never a SELECT.
  for (auto r : {get_ping, get_show_databases, get_debug_vars}) {
    EXPECT_EQ(r.find("SELECT"), std::string_view::npos);
    EXPECT_EQ(r.find("Authorization"), std::string_view::npos);
  }
}

TEST(probe_influxdb, v1_open_without_debug_vars) {
  // constructed: /debug/vars blocked (404) by a proxy; the verdict and database list stay.
  scripted_session ss(
      {scripted_session::client(s(get_ping)), scripted_session::server(s(ping_open)),
       scripted_session::client(s(get_show_databases)), scripted_session::server(s(databases_open)),
       scripted_session::client(s(get_debug_vars)),
       scripted_session::server("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 2);
  EXPECT_FALSE(o.exposure.tables.has_value());
  EXPECT_FALSE(o.exposure.bytes.has_value());
}

TEST(probe_influxdb, v1_auth_enabled) {
  scripted_session ss({scripted_session::client(s(get_ping)),
                       scripted_session::server(s(ping_auth)),
                       scripted_session::client(s(get_show_databases)),
                       scripted_session::server(s(databases_auth))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "InfluxDB");
  EXPECT_EQ(o.version, "1.6.7~rc0");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "SHOW DATABASES refused: 401 unable to parse authentication credentials");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(ss.sent(), s(get_ping) + s(get_show_databases));  // /debug/vars is not asked
}

TEST(probe_influxdb, v1_auth_enabled_without_users_is_unclaimed) {
  scripted_session ss({scripted_session::client(s(get_ping)),
                       scripted_session::server(s(ping_unclaimed)),
                       scripted_session::client(s(get_show_databases)),
                       scripted_session::server(s(databases_unclaimed)),
                       scripted_session::client(s(get_debug_vars)),
                       scripted_session::server(s(debug_vars_unclaimed))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unclaimed);
  EXPECT_EQ(o.evidence,
            "auth is on but no admin user exists: error authorizing query: create admin user first "
            "or disable "
            "authentication");
  EXPECT_EQ(o.exposure.databases, 1);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"lab_sensors"}));
  EXPECT_EQ(o.exposure.tables, 2);  // humidity, pressure
  EXPECT_EQ(o.exposure.bytes, 204);
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_influxdb, v1_ping_auth_enabled) {
  // constructed from 1.8's handler (version headers on every answer) with ping-auth-enabled:
  // /ping is refused but still names the server.
  std::string ping401 =
      json_reply("HTTP/1.1 401 Unauthorized\r\nX-Influxdb-Build: OSS\r\nX-Influxdb-Version: 1.8.10",
                 R"({"error":"unable to parse authentication credentials"})");
  std::string query401 =
      json_reply("HTTP/1.1 401 Unauthorized\r\nX-Influxdb-Build: OSS\r\nX-Influxdb-Version: 1.8.10",
                 R"({"error":"unable to parse authentication credentials"})");
  scripted_session ss({scripted_session::client(s(get_ping)), scripted_session::server(ping401),
                       scripted_session::client(s(get_show_databases)),
                       scripted_session::server(query401)});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_EQ(o.version, "1.8.10");
  EXPECT_EQ(o.verdict, auth::required);
}

TEST(probe_influxdb, v1_statement_error_is_not_a_verdict) {
  scripted_session ss(
      {scripted_session::client(s(get_ping)), scripted_session::server(s(ping_open)),
       scripted_session::client(s(get_show_databases)),
       scripted_session::server(json_reply(
           "HTTP/1.1 200 OK", R"({"results":[{"statement_id":0,"error":"shard unavailable"}]})"))});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "SHOW DATABASES answered 200 shard unavailable");
}

TEST(probe_influxdb, enterprise_build) {
  std::string ping =
      "HTTP/1.1 204 No Content\r\nX-Influxdb-Build: ENT\r\nX-Influxdb-Version: "
      "1.11.3-c1.11.3\r\n\r\n";
  scripted_session ss({scripted_session::client(s(get_ping)), scripted_session::server(ping),
                       scripted_session::client(s(get_show_databases)),
                       scripted_session::server(s(databases_auth))});
  auto o = run(ss);
  EXPECT_EQ(o.product, "InfluxDB Enterprise");
  EXPECT_EQ(o.version, "1.11.3-c1.11.3");
  EXPECT_EQ(o.verdict, auth::required);
}

TEST(probe_influxdb, v2_unclaimed) {
  scripted_session ss({scripted_session::client(s(get_ping)), scripted_session::server(s(ping_v2)),
                       scripted_session::client(s(get_setup)),
                       scripted_session::server(s(setup_allowed))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "influxdb");
  EXPECT_EQ(o.product, "InfluxDB");
  EXPECT_EQ(o.version, "2.7.11");
  EXPECT_EQ(o.verdict, auth::unclaimed);
  EXPECT_EQ(
      o.evidence,
      "/api/v2/setup says allowed: true (no operator user yet; the first caller creates one)");
  EXPECT_EQ(ss.sent(), s(get_ping) + s(get_setup));  // never POST /api/v2/setup
}

TEST(probe_influxdb, v2_set_up) {
  scripted_session ss({scripted_session::client(s(get_ping)), scripted_session::server(s(ping_v2)),
                       scripted_session::client(s(get_setup)),
                       scripted_session::server(s(setup_done)),
                       scripted_session::client(s(get_buckets)),
                       scripted_session::server(s(buckets_unauthorized))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_EQ(o.version, "2.7.11");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "/api/v2/buckets refused: 401 unauthorized access");
  EXPECT_TRUE(o.exposure.empty());
}

TEST(probe_influxdb, v2_buckets_through_a_token_adding_proxy) {
  // constructed from the v2 API docs' bucket list shape (links + buckets[].name).
  std::string list =
      json_reply("HTTP/1.1 200 OK",
                 R"({"links":{"self":"/api/v2/buckets?descending=false&limit=20&offset=0"},)"
                 R"("buckets":[{"id":"a1","name":"_monitoring"},{"id":"a2","name":"_tasks"},)"
                 R"({"id":"a3","name":"lab-metrics"},{"id":"a4","name":"lab-events"}]})");
  scripted_session ss({scripted_session::client(s(get_ping)), scripted_session::server(s(ping_v2)),
                       scripted_session::client(s(get_setup)),
                       scripted_session::server(s(setup_done)),
                       scripted_session::client(s(get_buckets)), scripted_session::server(list)});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 2);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"lab-events", "lab-metrics"}));
}

TEST(probe_influxdb, v2_setup_without_allowed_is_not_a_verdict) {
  scripted_session ss(
      {scripted_session::client(s(get_ping)), scripted_session::server(s(ping_v2)),
       scripted_session::client(s(get_setup)),
       scripted_session::server(json_reply("HTTP/1.1 200 OK", R"({"allowed":"yes"})"))});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(ss.sent(), s(get_ping) + s(get_setup));
}

TEST(probe_influxdb, telegraf_listener_is_not_influxdb) {
  // Telegraf's influxdb_v2_listener answers /ping like this (plugins/inputs/influxdb_v2_listener).
  std::string ping =
      json_reply("HTTP/1.1 200 OK\r\nX-Influxdb-Build: telegraf\r\nX-Influxdb-Version: 1.30.0",
                 R"({"version":"1.30.0"})");
  scripted_session ss({scripted_session::client(s(get_ping)), scripted_session::server(ping)});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(ss.sent(), s(get_ping));
}

TEST(probe_influxdb, bare_204_is_not_influxdb) {
  scripted_session ss(
      {scripted_session::client(s(get_ping)),
       scripted_session::server("HTTP/1.1 204 No Content\r\nServer: nginx\r\n\r\n")});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_ping));
}

TEST(probe_influxdb, random_bytes) {
  scripted_session ss({scripted_session::client(s(get_ping)),
                       scripted_session::server(std::string("\x00\x01\xfe\xff junk\r\n\r\n", 13))});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_influxdb, tls_alert_on_a_plain_request) {
  // A TLS server answers plaintext with an alert record and waits: not identified here; the
  // engine sees the record in first_bytes() and retries over TLS.
  scripted_session ss({scripted_session::client(s(get_ping)),
                       scripted_session::server(std::string("\x15\x03\x03\x00\x02\x02\x46", 7))});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_TRUE(ss.first_bytes_look_like_tls());
}

TEST(probe_influxdb, silent_server) {
  scripted_session ss({scripted_session::client(s(get_ping))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_influxdb, peer_closes_at_once) {
  scripted_session ss({scripted_session::close()});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_influxdb, oversized_ping_identifies_but_asks_nothing_more) {
  // constructed (1.8, ping-auth-enabled): the version header decides; the body over the HTTP
  // layer's limit stays unread on the connection, so no second request goes out on it.
  scripted_session ss(
      {scripted_session::client(s(get_ping)),
       scripted_session::server("HTTP/1.1 401 Unauthorized\r\nX-Influxdb-Build: OSS\r\n"
                                "X-Influxdb-Version: 1.8.10\r\nContent-Length: 99999999\r\n\r\n" +
                                std::string(2048, 'x'))});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(ss.sent(), s(get_ping));
}

TEST(probe_influxdb, truncated_ping) {
  scripted_session ss({scripted_session::client(s(get_ping)),
                       scripted_session::server(s(ping_open).substr(0, 60)),
                       scripted_session::close()});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_influxdb, truncated_debug_vars_keeps_the_verdict) {
  scripted_session ss(
      {scripted_session::client(s(get_ping)), scripted_session::server(s(ping_open)),
       scripted_session::client(s(get_show_databases)), scripted_session::server(s(databases_open)),
       scripted_session::client(s(get_debug_vars)),
       scripted_session::server(s(debug_vars_open).substr(0, 3000)), scripted_session::close()});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 2);
  EXPECT_FALSE(o.exposure.tables.has_value());
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_influxdb, debug_vars_past_the_byte_budget) {
  // The whole conversation gets 8 KiB: /debug/vars (14 KiB) overruns it; the verdict stays.
  scripted_session ss(
      {scripted_session::client(s(get_ping)), scripted_session::server(s(ping_open)),
       scripted_session::client(s(get_show_databases)), scripted_session::server(s(databases_open)),
       scripted_session::client(s(get_debug_vars)), scripted_session::server(s(debug_vars_open))},
      true, 8192);
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_FALSE(o.exposure.bytes.has_value());
  EXPECT_EQ(o.exposure.databases, 2);
}

TEST(probe_influxdb, hostile_debug_vars_values) {
  // constructed: negative and non-numeric statistics are not added up.
  std::string vars = json_reply(
      "HTTP/1.1 200 OK",
      R"({"database:a":{"name":"database","tags":{"database":"a"},"values":{"numMeasurements":-9}},)"
      R"("shard:x":{"name":"shard","tags":{"database":"a"},"values":{"diskBytes":"lots"}},)"
      R"("shard:y":{"name":"shard","tags":{"database":"a"},"values":{"diskBytes":10}},)"
      R"("junk":[1,2,3],"shard:z":{"name":"shard","tags":null}})");
  scripted_session ss(
      {scripted_session::client(s(get_ping)), scripted_session::server(s(ping_open)),
       scripted_session::client(s(get_show_databases)), scripted_session::server(s(databases_open)),
       scripted_session::client(s(get_debug_vars)), scripted_session::server(vars)});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.tables, 0);
  EXPECT_EQ(o.exposure.bytes, 10);
}

}  // namespace

// Node-RED settings for scripts/bench's peers section: a throwaway instance on loopback whose
// user dir, flow and log are in the run folder. The editor has no sign-in: it listens on
// 127.0.0.1 only and lives as long as the benchmark.
//
// Environment (set by scripts/lib/bench_peers.sh):
//   NODE_RED_BENCH_PORT    the port to listen on
//   NODE_RED_BENCH_LOG     the log file
//   NODE_RED_BENCH_SECRET  the key for the credentials file (a fresh random one per run)
//   SSBTEK_URL             where the flow asks SSBTEK (read by the flow itself)
const fs = require("fs");

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(name + " is not set");
  return value;
}

const log = fs.createWriteStream(required("NODE_RED_BENCH_LOG"), { flags: "a" });

module.exports = {
  uiHost: "127.0.0.1",
  uiPort: Number(required("NODE_RED_BENCH_PORT")),
  credentialSecret: required("NODE_RED_BENCH_SECRET"),
  flowFilePretty: true,
  // What the flow's answers carry stays out of the log: only Node-RED's own events, at warn.
  logging: {
    console: { level: "off" },
    file: {
      level: "warn",
      metrics: false,
      audit: false,
      handler: () => (msg) => {
        log.write(JSON.stringify({ time: new Date(msg.timestamp).toISOString(), level: msg.level, type: msg.type,
                                   id: msg.id, msg: String(msg.msg) }) + "\n");
      },
    },
  },
  // No calls home: no update checks, no telemetry, no diagnostics endpoint.
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false, ui: false },
  runtimeState: { enabled: false, ui: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
  functionExternalModules: false,
  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
  functionGlobalContext: {},
};

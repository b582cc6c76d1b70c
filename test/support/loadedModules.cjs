// Preloaded with `node --require` by test/orchestrator/cli-startup.test.ts: at exit, write the
// files this process required (require.cache, which tsx's CommonJS loads fill) to the file
// $MERIDIAN_LOADED_MODULES names, one per line. A stand-in automation/plan/deferTypescript.ts
// put in the cache is not a file loaded, and is left out.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload script, run by node --require */
const fs = require("node:fs");
process.on("exit", () => {
  const standIn = Symbol.for("meridian.deferTypescript.standIn");
  const loaded = Object.entries(require.cache).filter(([, m]) => m === undefined || m[standIn] !== true);
  fs.writeFileSync(process.env.MERIDIAN_LOADED_MODULES, loaded.map(([file]) => file).join("\n"));
});

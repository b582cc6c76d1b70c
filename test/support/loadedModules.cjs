// Preloaded with `node --require` by test/orchestrator/cli-startup.test.ts: at exit, write the
// files this process required (require.cache, which tsx's CommonJS loads fill) to the file
// $MERIDIAN_LOADED_MODULES names, one per line.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload script, run by node --require */
const fs = require("node:fs");
process.on("exit", () => {
  fs.writeFileSync(process.env.MERIDIAN_LOADED_MODULES, Object.keys(require.cache).join("\n"));
});

// Node 22 (not 24) warns on stderr that node:sqlite, the default run store, is experimental: a
// line that is not JSON, printed even with -q, about a module ztaudit pins its Node range for.
// Only that one warning is dropped; every other warning is printed as Node prints it. Each
// thread has its own `process`, so this is loaded first by the launcher (bin/ztaudit.cjs) and by
// every worker thread that may load node:sqlite (`--require` in its execArgv: serve-pages.ts),
// before any module of ztaudit. ES5 CommonJS, as the launcher.
'use strict';
var emitWarning = process.emitWarning;
process.emitWarning = function (warning, options) {
  var type = warning && typeof warning === 'object' ? warning.name : typeof options === 'string' ? options : options && options.type;
  var message = warning && typeof warning === 'object' ? warning.message : String(warning);
  if (type === 'ExperimentalWarning' && /^SQLite is an experimental feature\b/.test(message)) return;
  return emitWarning.apply(process, arguments);
};

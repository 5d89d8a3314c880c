#!/usr/bin/env node
// The `ztaudit` command. Written in syntax every Node.js release parses (ES5, CommonJS), so
// that an unsupported Node prints one line and exits 2 instead of a stack trace. In the source
// tree it loads the TypeScript sources (Node >= 22.19 strips the types); as dist/bin/ztaudit.cjs
// (`npm run build`, the npm package, the image) it loads the compiled JavaScript next to it.
'use strict';
var found = process.versions.node;
var major = Number(found.split('.')[0]);
var minor = Number(found.split('.')[1]);
// 23.0-23.6 lack module.setSourceMapsSupport (added in 23.7.0 and 22.14.0), which the
// compiled CLI calls below: package.json engines "^22.19 || >=23.7" says the same.
if (major < 22 || (major === 22 && minor < 19) || (major === 23 && minor < 7)) {
  process.stderr.write('ztaudit: Node.js ' + found + ' is too old: ztaudit needs Node.js >= 22.19 (>= 23.7 on Node 23; 24 LTS recommended); get it from https://nodejs.org/en/download or your package manager\n');
  process.exit(2);
}
// Node 22's SQLite ExperimentalWarning is dropped, in this thread and in serve's worker.
require('./drop-sqlite-warning.cjs');
var path = require('path');
var fs = require('fs');
var compiled = path.join(__dirname, '..', 'src', 'cli', 'main.js');
var entry = fs.existsSync(compiled) ? compiled : path.join(__dirname, '..', 'src', 'cli', 'main.ts');
// Stack traces of the compiled code point into the TypeScript sources (maps inline them).
if (entry === compiled) require('module').setSourceMapsSupport(true);
// require() of an ES module: no top-level await anywhere in the graph keeps this possible.
require(entry).runCli();

#!/usr/bin/env node
// Entry point: Node >= 22.19 runs the TypeScript sources directly (type stripping).
import '../src/cli/main.ts';

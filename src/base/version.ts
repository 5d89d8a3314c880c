// The tool's version, read from package.json: the one place it is written. Read through the
// package root (package.ts) rather than a JSON import, so the compiled dist/ reads the same
// file as the sources instead of a copy of it.
export { PACKAGE_VERSION as TOOL_VERSION } from './package.ts';

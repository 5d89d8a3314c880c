// The tool's version, read from package.json: the one place it is written.
import pkg from '../../package.json' with { type: 'json' };

export const TOOL_VERSION: string = pkg.version;

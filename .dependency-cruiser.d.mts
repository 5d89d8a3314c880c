// Types of .dependency-cruiser.mjs for the TypeScript that reads it (docs generator, tests).
import type { IConfiguration } from 'dependency-cruiser';

export interface Part {
  name: string;
  path: string;
  holds: string;
  may: string[];
}

export const PARTS: Part[];
export const OTHER_RULES: Array<{ name: string; comment: string; from: object; to: object }>;
export function layerRules(): NonNullable<IConfiguration['forbidden']>;
declare const config: IConfiguration;
export default config;

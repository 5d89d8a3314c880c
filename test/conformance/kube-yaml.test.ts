// Conformance: manifests are read as kubectl reads them, YAML 1.1 through goyaml.v2 (`yes`
// and `no` are booleans, 0644 is octal, a timestamp or `1:30` stays a string), checked against
// the JSON sigs.k8s.io/yaml's YAMLToJSON made of each document
// (test/conformance/kube-yaml/README.md says how they were produced).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { KUBE_YAML } from '../../src/base/kube-yaml.ts';
import { YAML_QUIET } from '../../src/base/yaml-message.ts';

interface Case { yaml: string; json: unknown }

const CASES: Case[] = readFileSync(join(import.meta.dirname, 'kube-yaml/cases.jsonl'), 'utf8')
  .split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Case);

describe('YAML scalars against sigs.k8s.io/yaml (goyaml.v2)', () => {
  it('holds the upstream verdicts', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(130);
  });

  it('reads every document to the JSON kubectl makes of it', () => {
    const ours = CASES.map((c) => {
      const doc = parseDocument(c.yaml, { ...KUBE_YAML, ...YAML_QUIET });
      return { yaml: c.yaml, json: doc.errors.length > 0 ? `error: ${doc.errors[0].message}` : JSON.parse(JSON.stringify(doc.toJS())) };
    });
    expect(ours).toEqual(CASES);
  });
});

// A document nested deeper than the YAML parser's recursion follows (20,000 `[`, a generator's
// runaway or a hostile file) used to be reported in the engine's words, "Maximum call stack size
// exceeded": the warning now says the document nests too deeply, naming the file and line (and
// the parser's position), and what it may hold counts as not read, as any broken document.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';

describe('a document that nests too deeply', () => {
  it.each([
    ['YAML flow sequences', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\na: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, 'deep.yaml:5'],
    ['a JSON object', `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": ${'['.repeat(20000)}${']'.repeat(20000)}}\n`, 'deep.yaml:1'],
  ])('%s: one line naming file and line, saying it nests too deeply', (_, text, where) => {
    const parsed = parseManifestText(text, 'deep.yaml');
    const notes = parsed.notes.filter((n) => n.includes('nests too deeply'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(new RegExp(`^${where.replace('.', '\\.')}(: JSON object 1)?: skipped a broken (YAML document|JSON object): the document nests too deeply to be read \\(collections within collections, more levels than the parser follows\\)( at line \\d+, column \\d+)?$`));
    expect(notes[0]).not.toContain('\n');
    expect(parsed.notes.join('\n')).not.toContain('Maximum call stack');
    expect(parsed.broken).toHaveLength(1);
  });
});

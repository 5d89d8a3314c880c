// A lone UTF-16 surrogate (half of a pair) in a cluster or object name is no character: Slack and a
// terminal show it as U+FFFD or not at all, so "prod\ud800" read as "prod" (or as "prod�", like any
// other broken name). JUnit already wrote it as \ud800 (src/report/junit.ts xmlEscape); Slack text,
// the terminal (main's withoutControls, oneLine) and SARIF's shown text now do the same
// (docs/hostile-text.md). A pair (an emoji) is kept.
import { describe, expect, it } from 'vitest';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { oneLine, withoutControls } from '../../../src/base/plain-text.ts';
import { buildRun } from '../report/fixtures.ts';

describe('a lone surrogate in a name', () => {
  it('is shown as its escape in Slack text, the emoji beside it kept', () => {
    const msg = buildSlackMessage(buildRun({ clusterName: 'prod\ud800-eu\udc00 😀' }).report);
    const all = JSON.stringify(msg);
    expect(all).toContain('prod\\\\ud800-eu\\\\udc00 😀');
    expect(msg.text.isWellFormed()).toBe(true);
    expect(msg.text).toContain('prod\\ud800-eu\\udc00 😀');
  });

  it('is shown as its escape on the terminal, on a line of its own or not', () => {
    expect(withoutControls('cluster prod\ud800\n')).toBe('cluster prod\\ud800\n');
    expect(oneLine('a\udfff😀\ud83d')).toBe('a\\udfff😀\\ud83d');
  });
});

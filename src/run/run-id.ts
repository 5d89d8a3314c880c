// What a run id may be: what runIdOf makes (20261126T065500Z-1a2b3c) and what older versions and
// other stores made, but never a line break, markup or a path. Ids are read back from stores and
// export files that anyone with write access can fill, and end up in URLs, Markdown and messages.
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const RUN_ID_RULE = 'a letter or digit, then up to 127 letters, digits, ".", "_", ":" or "-"';

export const isRunId = (id: unknown): id is string => typeof id === 'string' && RUN_ID.test(id);

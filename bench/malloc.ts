// glibc malloc's one setting the container image ships (Dockerfile: ENV MALLOC_MMAP_THRESHOLD_).
// glibc starts with a 128 KiB mmap threshold and raises it, up to 32 MiB, each time a larger
// mmapped block is freed; after that, large buffers come from its heap and their pages stay
// resident. Fixed at 128 KiB, every large block is returned when freed: an L run peaks ~60 MiB
// lower (bench/run.ts: 964–989 vs 1,022–1,053 MiB, same CPU) and a watching daemon does not
// step up 35–50 MiB some time after start-up (docs/performance.md). The benches run ztaudit
// as the image does unless told to keep glibc's defaults.

/** What the image sets (test/unit/dockerfile.test.ts holds the Dockerfile to it). */
export const IMAGE_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** glibc malloc's variables a bench passes on or prints. */
export const MALLOC_VARS = ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'] as const;

/**
 * The malloc variables for a child process: those set in `env`, else the image's (none with
 * `glibcDefaults`, unless set in `env`).
 */
export function mallocEnv(env: Readonly<Record<string, string | undefined>>, glibcDefaults: boolean): Record<string, string> {
  const out: Record<string, string> = glibcDefaults ? {} : { ...IMAGE_MALLOC_ENV };
  for (const k of MALLOC_VARS) if (env[k]) out[k] = env[k]!;
  return out;
}

/** One line naming the malloc settings in `env` (this process's, for a child). */
export function describeMalloc(env: Readonly<Record<string, string | undefined>>): string {
  const set = MALLOC_VARS.filter((k) => env[k]).map((k) => `${k}=${env[k]}`);
  if (set.length === 0) return "glibc malloc's defaults";
  const image = Object.entries(IMAGE_MALLOC_ENV).every(([k, v]) => env[k] === v) && set.length === Object.keys(IMAGE_MALLOC_ENV).length;
  return `${set.join(', ')}${image ? " (the image's)" : ''}`;
}

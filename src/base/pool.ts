// Runs async work over inputs with at most `width` in flight at once.

export async function runPool<T>(inputs: readonly T[], width: number, work: (input: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++];
      await work(input);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, inputs.length) }, worker));
}

/** Builds an adapter (and its SDK client) on its first call instead of at cold start. */
export function onFirstUse<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

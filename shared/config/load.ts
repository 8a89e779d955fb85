import { readFileSync } from 'node:fs';
import { toDotPath } from 'zod/v4/core';
import { type Config, configSchema } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses a config document; the error names every bad field by its path. */
export function parseConfig(raw: unknown, source = 'config'): Readonly<Config> {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${toDotPath(issue.path) || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return deepFreeze(result.data);
}

export function loadConfigFile(path: string): Readonly<Config> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseConfig(raw, path);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from '#shared/config/metric-names.ts';

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
const levels = new Set<string>(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']);
const level = (process.env.LOG_LEVEL ?? 'INFO').toUpperCase();

/** One logger per function; ids go in as keys, never phone numbers, message bodies or tokens. */
export const createLogger = () =>
  new Logger({ serviceName: SERVICE_NAME, logLevel: (levels.has(level) ? level : 'INFO') as Level });

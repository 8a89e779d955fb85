process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/** `npm start`: the whole pipeline on this machine. */
import { ConfigError } from '#shared/config/load.ts';
import { startupBanner } from './banner.ts';
import { faultPlanFromEnv } from './faults.ts';
import { startLocalStack } from './runtime.ts';
import { StartupError } from './startup-error.ts';

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}
function optionalNumber(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    console.error(`${name} must be a positive number, got "${value}"`);
    process.exit(1);
  }
  return number;
}
const started = Date.now();
try {
  const stack = await startLocalStack({
    configPath: process.env.CLOSEDLOOP_CONFIG ?? 'config/local.json',
    dataDir: process.env.DATA_DIR ?? '.data',
    port,
    publicBaseUrl: process.env.PUBLIC_BASE_URL,
    // Tuning for tests and demos; unset, the topology's values hold.
    visibilityTimeoutSeconds: optionalNumber('LOCAL_VISIBILITY_TIMEOUT_SECONDS'),
    // The topology's 30 s window is for AWS's bills; locally the dashboard follows the phone page within 2 s.
    streamBatchingWindowMs: optionalNumber('LOCAL_STREAM_BATCHING_WINDOW_MS') ?? 2_000,
    scheduleIntervalMs: optionalNumber('LOCAL_SCHEDULE_INTERVAL_MS'),
    faults: faultPlanFromEnv(process.env.LOCAL_FAULTS),
  });
  console.log(
    startupBanner({
      readySeconds: (Date.now() - started) / 1000,
      url: stack.url,
      issuer: stack.signIn.issuer,
      dataDir: process.env.DATA_DIR ?? '.data',
      endpoints: stack.endpoints,
      auth: stack.config.auth,
    }),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof StartupError || error instanceof ConfigError) {
    console.error(`ClosedLoop could not start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

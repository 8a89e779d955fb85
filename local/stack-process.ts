/**
 * A real local stack (`local/start.ts`: DynamoDB Local, fauxqs, the API emulator, pollers,
 * sweeper) in its own child process, as `npm start` runs it: for the integration suite's shared
 * stack, for test files that need a stack of their own (their own config, or one they stop,
 * crash and restart), and for `npm run bench`. Its stdout and stderr are kept in memory and in
 * `<dataDir>/stack.log`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

export const TWILIO_TEST_TOKEN = 'test-twilio-auth-token';
export const TEST_PUBLIC_BASE_URL = 'https://closedloop.example.com';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The line `local/start.ts` prints once everything answers; it names the emulators' endpoints. */
const READY = /DynamoDB Local (\S+), SQS \(fauxqs\) (\S+)/;

/** The shipped example config as it is: its webhooks are relative, so they reach the stack on any port. */
export const shippedConfig = () => JSON.parse(readFileSync(join(repoRoot, 'config/local.json'), 'utf8'));

/** The shipped example config, made test-friendly: no quiet hours, no send delay. */
export function baseTestConfig(_port?: number) {
  const config = shippedConfig();
  config.quietHours = { start: '00:00', end: '00:00' };
  for (const plan of config.surveyPlans) plan.delayMinutes = 0;
  return config;
}

/** Where a stack started by this module keeps its output. */
export const stackLogPath = (dataDir: string) => join(dataDir, 'stack.log');

export interface StackProcessOptions {
  /** The CLOSEDLOOP_CONFIG contents; a function gets the port first, for URLs that point back at the stack. */
  config: object | ((port: number) => object);
  port?: number;
  /** The stack's LOG_LEVEL; INFO for a stack whose logs a test reads. */
  logLevel?: string;
  /** Copies the child's stderr to this process's stderr (debugging). */
  echoStderr?: boolean;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Prefix of the temporary directory holding DATA_DIR and the config file. */
  tempPrefix?: string;
}

export interface StackProcess {
  readonly url: string;
  readonly port: number;
  /** DynamoDB Local's and fauxqs's endpoints; new ones after each restart. */
  readonly dynamodb: string;
  readonly sqs: string;
  readonly configPath: string;
  /** DATA_DIR, kept across restarts. */
  readonly dataDir: string;
  readonly logFile: string;
  /** Everything the stack printed, over all its runs. */
  output(): string;
  /** The running stack's process id and its children's (DynamoDB Local's JVM); empty when stopped. */
  processIds(): { stack: number; children: number[] } | undefined;
  /** SIGTERM, as Ctrl+C would: the stack shuts down cleanly; resolves once it has exited. */
  stop(): Promise<void>;
  /**
   * A crash: SIGKILL to the stack (its functions, queues and sweeper) at once, nothing gets to
   * clean up; then SIGKILL to its DynamoDB Local, once it has had a moment without requests.
   * DynamoDB Local answers a write a few milliseconds before the write is in its file: killed at
   * once, it lost the last acknowledged write in about one run in three (`DATABASE_QUIET_MS`).
   * DynamoDB in AWS never loses an acknowledged write, so a crash here must not either.
   */
  kill(): Promise<void>;
  /** Starts again on the same port and DATA_DIR (stopping it first if it still runs). */
  restart(): Promise<void>;
  /** Stops it and deletes its files. */
  dispose(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A stack must not outlive the test run that started it, however that run ends.
process.once('exit', () => {
  for (const child of running) killTree(child);
});

/** Direct children of a process, from /proc (Linux): the stack's DynamoDB Local. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** How long a killed stack's DynamoDB Local is left without requests before it is killed too. */
const DATABASE_QUIET_MS = 1_000;

async function killTree(child: ChildProcess, databaseQuietMs = 0) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const children = childrenOf(child.pid);
  child.kill('SIGKILL');
  if (databaseQuietMs > 0) await new Promise((r) => setTimeout(r, databaseQuietMs));
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

export async function startStackProcess(options: StackProcessOptions): Promise<StackProcess> {
  const port = options.port ?? (await freePort());
  const root = mkdtempSync(join(tmpdir(), options.tempPrefix ?? 'closedloop-it-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  const configPath = join(root, 'config.json');
  const config = typeof options.config === 'function' ? options.config(port) : options.config;
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logFile = stackLogPath(dataDir);
  const url = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;

  let output = '';
  let child: ChildProcess | undefined;
  const endpoints = { dynamodb: '', sqs: '' };
  const capture = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    // Synchronously, so a test reading the file sees every line printed so far.
    appendFileSync(logFile, text);
  };

  async function start() {
    const from = output.length;
    const started = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dataDir,
        CLOSEDLOOP_CONFIG: configPath,
        PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
        TWILIO_AUTH_TOKEN: TWILIO_TEST_TOKEN,
        LOCAL_VISIBILITY_TIMEOUT_SECONDS: '1',
        LOCAL_STREAM_BATCHING_WINDOW_MS: '300',
        LOCAL_SCHEDULE_INTERVAL_MS: '300',
        LOG_LEVEL: options.logLevel ?? 'SILENT',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    running.add(started);
    started.once('exit', () => running.delete(started));
    started.stdout?.on('data', capture);
    started.stderr?.on('data', (chunk: Buffer) => {
      capture(chunk);
      if (options.echoStderr) process.stderr.write(chunk);
    });
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const ready = READY.exec(output.slice(from));
      if (ready) {
        endpoints.dynamodb = ready[1] ?? '';
        endpoints.sqs = ready[2] ?? '';
        return;
      }
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`the local stack exited:\n${output.slice(from)}`);
      }
      if (Date.now() > deadline) {
        killTree(started);
        throw new Error(`the local stack did not start in ${readyTimeoutMs / 1000} s:\n${output.slice(from)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stop() {
    const current = child;
    if (!current) return;
    current.kill('SIGTERM');
    const fallback = setTimeout(() => killTree(current), 15_000);
    await exited(current);
    clearTimeout(fallback);
    child = undefined;
  }

  async function kill() {
    const current = child;
    if (!current) return;
    await killTree(current, DATABASE_QUIET_MS);
    await exited(current);
    child = undefined;
  }

  await start().catch(async (error) => {
    rmSync(root, { recursive: true, force: true });
    throw error;
  });

  return {
    url,
    port,
    get dynamodb() {
      return endpoints.dynamodb;
    },
    get sqs() {
      return endpoints.sqs;
    },
    configPath,
    dataDir,
    logFile,
    output: () => output,
    processIds() {
      const pid = child?.pid;
      return pid === undefined ? undefined : { stack: pid, children: childrenOf(pid) };
    },
    stop,
    kill,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

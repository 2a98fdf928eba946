import type { Server } from 'node:http';
import { errorMessage, isUserError } from '../common/errors.js';
import { loadConfigFile } from '../config/load.js';
import type { ConfigNode } from '../config/config-node.js';
import { setupLogging } from '../logp/setup.js';
import type { Logger } from '../logp/logger.js';
import { Registry } from '../monitoring/registry.js';
import { builtinOutputs } from '../outputs/builtin.js';
import type { OutputGroup } from '../outputs/output.js';
import { PublishPipeline } from '../publisher/pipeline/pipeline.js';
import type { Beat, BeatDefinition } from './beater.js';
import { defaultConfigPath } from './config-path.js';
import { COMMON_FLAGS, parseFlags, usage, type FlagValues } from './flags.js';
import { createBeatInfo, VERSION } from './info.js';
import { buildOutputs } from './outputs-setup.js';
import { startCpuProfile, writeMemProfile } from './profiling.js';
import { startStatsServer } from './stats-server.js';
import { buildProcessor } from './processors-setup.js';

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const DEFAULT_METRICS_PERIOD_MS = 30_000;
const FORCED_EXIT_GRACE_MS = 3_000;

/**
 * Runs a beat from its command line: flags, config, logging, outputs, pipeline, signals, shutdown. Sets the exit
 * code: 0 on success, 1 on a user mistake (one line on stderr, no stack trace) or a fatal error. This and the
 * cli/ entry points are the only places that end the process.
 */
export async function runBeat(def: BeatDefinition, argv: string[]): Promise<number> {
  let code: number;
  try {
    code = await run(def, argv);
  } catch (err) {
    if (isUserError(err)) process.stderr.write(`${def.name}: ${err.message}\n`);
    else process.stderr.write(`${def.name}: fatal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    code = 1;
  }
  process.exitCode = code;
  // Lingering sockets or timers of a misbehaving output must not keep a finished beat alive.
  setTimeout(() => process.exit(code), FORCED_EXIT_GRACE_MS).unref();
  return code;
}

async function run(def: BeatDefinition, argv: string[]): Promise<number> {
  const specs = [...COMMON_FLAGS, ...(def.flags ?? [])];
  const flags = parseFlags(argv, specs);
  if (flags['help']) {
    process.stdout.write(usage(def.name, specs) + '\n');
    return 0;
  }
  if (flags['version']) {
    process.stdout.write(`${def.name} version ${VERSION} (${process.arch}), node ${process.version}\n`);
    return 0;
  }
  const configFile = (flags['c'] as string | undefined) ?? defaultConfigPath(def.name);
  const cfg = loadConfigFile(configFile, { overrides: (flags['E'] as string[] | undefined) ?? [] });
  const debug = typeof flags['d'] === 'string' ? flags['d'].split(',').map((s) => s.trim()).filter(Boolean) : [];
  const { log, sinks } = setupLogging(def.name, cfg.child('logging'), {
    toStderr: flags['e'] === true,
    verbose: flags['v'] === true,
    debugSelectors: debug,
  });
  const stopCpu = typeof flags['cpuprofile'] === 'string' ? startCpuProfile(flags['cpuprofile']) : undefined;
  try {
    return await runWithConfig(def, cfg, flags, log);
  } finally {
    if (stopCpu) await stopCpu();
    if (typeof flags['memprofile'] === 'string') writeMemProfile(flags['memprofile']);
    for (const s of sinks) s.close?.();
  }
}

async function runWithConfig(def: BeatDefinition, cfg: ConfigNode, flags: FlagValues, log: Logger): Promise<number> {
  const shipper = cfg.child('shipper');
  const info = createBeatInfo(def.name, shipper.str('name') ?? cfg.str('name'));
  const metrics = new Registry();
  const dryRun = flags['N'] === true;
  const built = await buildOutputs(cfg, builtinOutputs(), { beat: info, log: log.child('publish'), metrics });
  const outputs: Map<string, OutputGroup> = dryRun ? new Map() : built;
  if (dryRun) await Promise.all([...built.values()].flatMap((g) => g.clients.map((c) => c.close())));

  const pipeline = new PublishPipeline({
    beat: info,
    outputs,
    queueSize: shipper.int('queue_size', 4096, { min: 1 }),
    tags: [...shipper.strList('tags', []), ...cfg.strList('tags', [])],
    ...globalFields(cfg),
    processor: buildProcessor(cfg),
    log: log.child('publish'),
    metrics,
  });
  const beatFlags: Record<string, string | boolean | undefined> = {};
  for (const f of def.flags ?? []) beatFlags[f.name] = flags[f.name] as string | boolean | undefined;
  const beat: Beat = { info, config: cfg, log, metrics, pipeline, flags: beatFlags };
  const beater = await def.create(beat);

  if (flags['configtest']) {
    process.stdout.write('Config OK\n');
    await pipeline.close(0);
    return 0;
  }
  if (flags['test-output']) return testOutputs(built, pipeline);

  const server = await maybeStatsServer(cfg, flags, info, metrics);
  const stopMetrics = logMetricsPeriodically(cfg, metrics, log);
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`Received ${sig} again; exiting now.`);
      process.exit(130);
    }
    stopping = true;
    log.info(`Received ${sig}; stopping.`);
    beater.stop();
  };
  let stopping = false;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log.info(`${def.name} ${VERSION} started (${outputs.size === 0 ? 'publishing disabled' : [...outputs.keys()].join(', ')}).`);
  pipeline.start();
  // A beater may wait on nothing but a promise (stop()); keep the process alive until run() settles.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await beater.run();
  } finally {
    clearInterval(keepAlive);
    const timeout = cfg.durationMs('shutdown_timeout', DEFAULT_SHUTDOWN_TIMEOUT_MS, { min: 0 });
    await pipeline.close(timeout);
    stopMetrics();
    server?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log.info(`${def.name} stopped.`);
  }
  return 0;
}

function globalFields(cfg: ConfigNode): { fields?: Record<string, unknown>; fieldsUnderRoot?: boolean } {
  const f = cfg.get('fields');
  if (f === undefined) return {};
  if (typeof f !== 'object' || Array.isArray(f)) throw cfg.error('fields', 'must be a section of key: value pairs');
  return { fields: f as Record<string, unknown>, fieldsUnderRoot: cfg.bool('fields_under_root', false) };
}

async function testOutputs(outputs: Map<string, OutputGroup>, pipeline: PublishPipeline): Promise<number> {
  let failed = 0;
  const signal = AbortSignal.timeout(30_000);
  for (const [name, group] of outputs) {
    for (const c of group.clients) {
      try {
        const summary = c.test ? await c.test(signal) : c.connect ? (await c.connect(signal), 'connected') : 'ok';
        process.stdout.write(`${name}: ${c.name}: OK (${summary})\n`);
      } catch (err) {
        failed++;
        process.stdout.write(`${name}: ${c.name}: FAILED: ${errorMessage(err)}\n`);
      }
    }
  }
  await pipeline.close(0);
  return failed === 0 ? 0 : 1;
}

async function maybeStatsServer(cfg: ConfigNode, flags: FlagValues, info: Beat['info'], metrics: Registry): Promise<Server | undefined> {
  const http = cfg.child('http');
  const prof = flags['httpprof'];
  if (!http.bool('enabled', false) && typeof prof !== 'string') return undefined;
  let host = http.str('host', 'localhost');
  let port = http.int('port', 5066, { min: 0, max: 65535 });
  if (typeof prof === 'string') {
    const i = prof.lastIndexOf(':');
    host = (i > 0 ? prof.slice(0, i) : '') || 'localhost';
    port = Number(prof.slice(i + 1));
  }
  return startStatsServer(info, metrics, host, port);
}

function logMetricsPeriodically(cfg: ConfigNode, metrics: Registry, log: Logger): () => void {
  const m = cfg.child('logging').child('metrics');
  if (!m.bool('enabled', true)) return () => {};
  const period = m.durationMs('period', DEFAULT_METRICS_PERIOD_MS, { min: 100 });
  let prev = metrics.snapshot();
  const logDelta = (): void => {
    const delta = metrics.nonZeroDelta(prev);
    prev = metrics.snapshot();
    if (Object.keys(delta).length > 0) log.info(`Non-zero metrics in the last ${period / 1000}s: ${JSON.stringify(delta)}.`);
  };
  const timer = setInterval(logDelta, period);
  timer.unref();
  return () => {
    clearInterval(timer);
    logDelta(); // the last partial period, so that the logged deltas add up to the run's totals
  };
}

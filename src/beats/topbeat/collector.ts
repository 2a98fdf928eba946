import type { TopbeatConfig } from './config.js';
import { nameMatcher } from './config.js';
import { ProcessCpuTracker } from './cpu-delta.js';
import { cpuFields, filesystemEvent, processEvent, StartTimeFormatter, systemEvent } from './events.js';
import type { CpuSample, MemorySample, SystemSource } from './types.js';

export type CollectorOptions = Pick<TopbeatConfig, 'procs' | 'system' | 'proc' | 'filesystem' | 'cpuPerCore'>;

/**
 * One Topbeat collection: reads the source and turns the samples into event documents, keeping the previous CPU
 * counters so that shares (`*_p`) cover the time since the last collection.
 */
export class Collector {
  private prevCpu: CpuSample | undefined;
  private readonly procCpu = new ProcessCpuTracker();
  private readonly startTimes = new StartTimeFormatter();
  private readonly match: (name: string) => boolean;

  constructor(
    private readonly source: SystemSource,
    private readonly opts: CollectorOptions,
  ) {
    this.match = nameMatcher(opts.procs);
  }

  /** Documents of one collection, in order: the system event, process events, filesystem events. */
  async collect(nowMs = Date.now()): Promise<Record<string, unknown>[]> {
    const { opts, source } = this;
    const out: Record<string, unknown>[] = [];
    let memory: MemorySample | undefined;
    if (opts.system) {
      const [load, cpu, mem] = await Promise.all([source.load(), source.cpu(), source.memory()]);
      memory = mem;
      const prev = this.prevCpu;
      this.prevCpu = cpu;
      let cpus: Record<string, Record<string, number>> | undefined;
      if (opts.cpuPerCore) {
        const perCore: Record<string, Record<string, number>> = {};
        cpu.cores.forEach((c, i) => (perCore[`cpu${i}`] = cpuFields(prev?.cores[i], c)));
        cpus = perCore;
      }
      out.push(systemEvent({ load, cpu: cpuFields(prev?.total, cpu.total), cpus, memory: mem }));
    }
    if (opts.proc) {
      memory ??= await source.memory();
      const procs = await source.processes(this.match);
      const at = performance.now();
      for (const p of procs) {
        out.push(processEvent(p, this.procCpu.share(p, at), memory.total, this.startTimes.format(p.startMs, nowMs)));
      }
      this.procCpu.endCollection();
    }
    if (opts.filesystem) {
      for (const f of await source.filesystems()) out.push(filesystemEvent(f));
    }
    return out;
  }
}

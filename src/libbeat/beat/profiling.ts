import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

/** `-cpuprofile FILE`: starts V8's sampling profiler; the returned function writes the profile (DevTools format). */
export function startCpuProfile(file: string): () => Promise<void> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  const started = post('Profiler.enable').then(() => post('Profiler.start'));
  return async () => {
    await started;
    const res = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(res.profile));
    session.disconnect();
  };
}

/** `-memprofile FILE`: writes a heap snapshot (load it in Chrome DevTools' Memory tab). */
export function writeMemProfile(file: string): void {
  writeHeapSnapshot(file);
}

// Reading V8 .cpuprofile files (node --cpu-prof) for the benchmarks' "where the time goes" notes.
import { readFileSync } from 'node:fs';

/**
 * Self time (ms) per profile node id, and the nodes by id. `maxSampleMs` caps
 * one sample's share: a delta far above the sampling interval means the
 * process was descheduled on a loaded machine.
 */
export function selfTimes(file, maxSampleMs = Infinity) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const d = Math.min((prof.timeDeltas[i + 1] ?? 0) / 1000, maxSampleMs);
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + d);
  }
  return { prof, byId, self };
}

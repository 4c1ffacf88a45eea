// Announce intervals with optional jitter: clients that all started together (a tracker
// restart, a popular release) would otherwise keep announcing in lockstep (libtorrent
// #8708); a few seconds of randomness spreads them out. Ocelot and Trakx do the same.

export function jitteredInterval(interval: number, jitter: number): () => number {
  if (jitter <= 0) return () => interval;
  return () => interval + Math.floor(Math.random() * (jitter + 1));
}

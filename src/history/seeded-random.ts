/** A seeded random sequence whose state can be read and set again, to continue it later. */
export interface SeededRandom {
  (): number;
  /** Where the sequence is: a whole number from 0 to 2^32 - 1. */
  state(): number;
  /** Continues the sequence from a state read earlier. */
  restore(state: number): void;
}

/** A small, fast, seeded random generator (mulberry32): the same seed, the same sequence. */
export function seededRandom(seed: number): SeededRandom {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, {
    state: () => a,
    restore: (state: number) => {
      if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) throw new RangeError(`a random state is a whole number from 0 to 4294967295, not ${state}`);
      a = state;
    },
  });
}

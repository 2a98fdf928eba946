/** The suite's deterministic PRNG (mulberry32), under the name the Packetbeat fuzz tests use. */
export { seededRandom as seeded } from '../random.js';

/**
 * random_id (seed 3.1): the message's identity across retries, made once by the sending client.
 * Timestamp first so ids from one device sort roughly by creation; random part so two devices
 * never collide. `random` returns a float in [0, 1) and is injected so tests are exact.
 */
export function makeRandomId(nowMs: number, random: () => number): string {
  let tail = '';
  for (let i = 0; i < 16; i++) tail += Math.floor(random() * 36).toString(36);
  return `${nowMs.toString(36)}-${tail}`;
}

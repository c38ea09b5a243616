import { describe, expect, it } from 'vitest';
import { TopicBus } from '../../src-main/bus/topic-bus';

type Topics = { a: number; b: string };

describe('TopicBus', () => {
  it('delivers typed payloads in order to each subscriber, with filters', async () => {
    const bus = new TopicBus<Topics>();
    const all: number[] = [];
    const even: number[] = [];
    bus.subscribe('a', (n) => void all.push(n));
    bus.subscribe('a', (n) => void even.push(n), { filter: (n) => n % 2 === 0 });
    for (let i = 1; i <= 6; i++) bus.publish('a', i);
    await bus.idle();
    expect(all).toEqual([1, 2, 3, 4, 5, 6]);
    expect(even).toEqual([2, 4, 6]);
    expect(bus.stats().a).toMatchObject({ published: 6, delivered: 9, filtered: 3, failed: 0 });
  });

  it('isolates a throwing subscriber and a throwing filter', async () => {
    const errors: string[] = [];
    const bus = new TopicBus<Topics>({ onError: (topic) => errors.push(topic) });
    const got: string[] = [];
    bus.subscribe('b', () => {
      throw new Error('boom');
    });
    bus.subscribe('b', (s) => void got.push(s), {});
    bus.subscribe('b', () => {}, {
      filter: () => {
        throw new Error('bad filter');
      },
    });
    bus.publish('b', 'x');
    bus.publish('b', 'y');
    await bus.idle();
    expect(got).toEqual(['x', 'y']);
    expect(bus.stats().b!.failed).toBe(4);
    expect(errors).toHaveLength(4);
  });

  it('a slow async subscriber holds up only itself', async () => {
    const bus = new TopicBus<Topics>({ slowMs: 5 });
    const fast: number[] = [];
    const slow: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe('a', async (n) => {
      await gate;
      slow.push(n);
    });
    bus.subscribe('a', (n) => void fast.push(n));
    bus.publish('a', 1);
    bus.publish('a', 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(fast).toEqual([1, 2]);
    expect(slow).toEqual([]);
    release();
    await bus.idle();
    expect(slow).toEqual([1, 2]);
    expect(bus.stats().a!.slow).toBeGreaterThanOrEqual(1);
  });

  it('bounds a stuck subscriber queue, dropping the oldest', async () => {
    const bus = new TopicBus<Topics>({ maxQueue: 3 });
    const got: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe('a', async (n) => {
      await gate;
      got.push(n);
    });
    for (let i = 1; i <= 10; i++) bus.publish('a', i);
    release();
    await bus.idle();
    // Delivery starts after the publisher's turn, so only the newest three stayed queued.
    expect(got).toEqual([8, 9, 10]);
    expect(bus.stats().a!.dropped).toBe(7);
  });

  it('subscribing twice is harmless and unsubscribe stops delivery', async () => {
    const bus = new TopicBus<Topics>();
    const got: number[] = [];
    const listener = (n: number): void => void got.push(n);
    const off1 = bus.subscribe('a', listener);
    const off2 = bus.subscribe('a', listener);
    expect(off1).toBe(off2);
    expect(bus.subscriberCount('a')).toBe(1);
    bus.publish('a', 1);
    await bus.idle();
    off1();
    off2();
    bus.publish('a', 2);
    await bus.idle();
    expect(got).toEqual([1]);
    expect(bus.subscriberCount('a')).toBe(0);
  });
});

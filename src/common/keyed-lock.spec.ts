import { KeyedLock } from './keyed-lock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLock', () => {
  it('runs tasks of one key one at a time, in arrival order', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    let counter = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        lock.run('a', async () => {
          events.push(`start ${i}`);
          const read = counter;
          await tick();
          counter = read + 1; // a lost update would show if tasks overlapped
          events.push(`end ${i}`);
        }),
      ),
    );
    expect(counter).toBe(20);
    expect(events).toEqual(Array.from({ length: 20 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
  });

  it('lets different keys run concurrently and releases after a failure', async () => {
    const lock = new KeyedLock();
    let inside = 0;
    let maxInside = 0;
    const task = async () => {
      maxInside = Math.max(maxInside, ++inside);
      await tick();
      inside--;
    };
    await Promise.all([lock.run('a', task), lock.run('b', task)]);
    expect(maxInside).toBe(2);
    await expect(lock.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(lock.run('a', async () => 'next')).resolves.toBe('next');
  });

  it('runAll takes several keys without deadlocking opposite orders', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    await Promise.all([
      lock.runAll(['a', 'b'], async () => {
        order.push('ab');
        await tick();
      }),
      lock.runAll(['b', 'a'], async () => {
        order.push('ba');
        await tick();
      }),
      lock.run('b', async () => {
        order.push('b');
      }),
    ]);
    expect(order.sort()).toEqual(['ab', 'b', 'ba']);
  });
});

import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../../src/cli/command.ts';
import { Progress } from '../../src/cli/output.ts';

function io(isTTY: boolean): { io: CliIO; text: () => string } {
  const err = new PassThrough();
  let text = '';
  err.on('data', (c: Buffer) => (text += c.toString()));
  return { io: { stdout: new PassThrough(), stderr: err, env: {}, cwd: '/', isTTY }, text: () => text };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Progress', () => {
  afterEach(() => vi.useRealTimers());

  it('without a terminal: a plain line every 5 s, none before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const t = io(false);
    const p = new Progress(t.io);
    p.update('a');
    vi.setSystemTime(4_999);
    p.update('b');
    vi.setSystemTime(5_000);
    p.update('c');
    vi.setSystemTime(7_000);
    p.update('d');
    vi.setSystemTime(10_000);
    p.update('e');
    await tick();
    expect(t.text()).toBe('[5 s] c\n[10 s] e\n');
  });

  it('--quiet prints nothing; on a terminal the line is redrawn; --progress gives lines on a terminal too', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const quiet = io(false);
    const q = new Progress(quiet.io, { quiet: true });
    vi.setSystemTime(6_000);
    q.update('x');
    const tty = io(true);
    new Progress(tty.io).update('y');
    vi.setSystemTime(0);
    const forced = io(true);
    const f = new Progress(forced.io, { progress: true });
    vi.setSystemTime(6_000);
    f.update('z');
    await tick();
    expect(quiet.text()).toBe('');
    expect(tty.text()).toBe('\r\x1b[2Ky');
    expect(forced.text()).toBe('[6 s] z\n');
  });
});

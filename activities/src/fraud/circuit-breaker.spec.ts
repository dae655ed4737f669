import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker';

describe('the fraud provider circuit breaker', () => {
  let clock = 0;
  let changes: CircuitState[] = [];
  const breaker = () =>
    new CircuitBreaker({
      failureThreshold: 3,
      slowCallMs: 1_000,
      openMs: 10_000,
      now: () => clock,
      onChange: (state) => changes.push(state),
    });
  const failing = () => Promise.reject(new Error('503'));
  const answering = () => Promise.resolve('approve');

  beforeEach(() => {
    clock = 0;
    changes = [];
  });

  it('opens after failures in a row and then refuses at once, without calling', async () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) await expect(circuit.run(failing)).rejects.toThrow('503');
    const call = jest.fn(answering);
    await expect(circuit.run(call)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(call).not.toHaveBeenCalled();
    expect(changes).toEqual(['open']);
  });

  it('is not opened by failures separated by successes', async () => {
    const circuit = breaker();
    for (let i = 0; i < 5; i++) {
      await expect(circuit.run(failing)).rejects.toThrow();
      await expect(circuit.run(failing)).rejects.toThrow();
      await circuit.run(answering);
    }
    expect(circuit.current).toBe('closed');
  });

  it('counts a call slower than the limit as a failure while it is still running', async () => {
    jest.useFakeTimers();
    try {
      const circuit = breaker();
      const never = () => new Promise<string>(() => undefined);
      for (let i = 0; i < 3; i++) void circuit.run(never);
      jest.advanceTimersByTime(1_000);
      expect(circuit.current).toBe('open');
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not blame the provider for a call the caller aborted', async () => {
    const circuit = breaker();
    const aborted = AbortSignal.abort();
    for (let i = 0; i < 5; i++) await expect(circuit.run(failing, aborted)).rejects.toThrow();
    expect(circuit.current).toBe('closed');
  });

  it('lets one trial call through after the open time: success closes, failure reopens', async () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) await expect(circuit.run(failing)).rejects.toThrow();
    clock = 10_000;
    await expect(circuit.run(failing)).rejects.toThrow('503');
    expect(circuit.current).toBe('open');
    await expect(circuit.run(answering)).rejects.toBeInstanceOf(CircuitOpenError);
    clock = 20_000;
    await expect(circuit.run(answering)).resolves.toBe('approve');
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

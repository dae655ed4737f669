import { tracingChosen } from './jaeger';

describe('STACK_TRACING', () => {
  it('runs Jaeger unless told off', () => {
    expect(tracingChosen(undefined)).toBe(true);
    expect(tracingChosen('')).toBe(true);
    expect(tracingChosen(' On ')).toBe(true);
    expect(tracingChosen('off')).toBe(false);
    expect(tracingChosen('OFF')).toBe(false);
  });

  it('refuses anything else rather than guess which was meant', () => {
    expect(() => tracingChosen('false')).toThrow('STACK_TRACING must be on or off, got "false"');
  });
});

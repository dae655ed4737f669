import { mayNotify } from './notifications';

describe('customer notifications', () => {
  it('tells each commitment change once', () => {
    expect(mayNotify([], 'confirmed')).toBe(true);
    expect(mayNotify(['confirmed'], 'confirmed')).toBe(false);
  });

  it('never contradicts what was said before', () => {
    expect(mayNotify(['confirmed'], 'delayed')).toBe(false);
    expect(mayNotify(['cancelled'], 'confirmed')).toBe(false);
    expect(mayNotify(['rejected'], 'cancelled')).toBe(false);
    expect(mayNotify(['confirmed'], 'delivered')).toBe(false);
    expect(mayNotify(['confirmed', 'shipped'], 'delivered')).toBe(true);
  });

  it('may announce a cancellation after a confirmation: it is news, not a contradiction', () => {
    expect(mayNotify(['delayed', 'confirmed'], 'cancelled')).toBe(true);
  });
});

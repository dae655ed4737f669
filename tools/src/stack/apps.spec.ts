import { platformState } from './apps';

describe('what npm run status says of the whole platform', () => {
  it('says stopped when no service runs and no app is alive', () => {
    expect(platformState({ running: 0, stopped: 3 }, ['down', 'down'])).toBe('stopped');
  });

  it('says running only when every service runs and every app answers', () => {
    expect(platformState({ running: 3, stopped: 0 }, ['answering', 'answering'])).toBe('running');
  });

  it('says partly running when a service is stopped or an app is down or not answering', () => {
    expect(platformState({ running: 2, stopped: 1 }, ['answering'])).toBe('partly running');
    expect(platformState({ running: 3, stopped: 0 }, ['answering', 'down'])).toBe('partly running');
    expect(platformState({ running: 3, stopped: 0 }, ['unresponsive'])).toBe('partly running');
    expect(platformState({ running: 0, stopped: 3 }, ['answering'])).toBe('partly running');
  });
});
